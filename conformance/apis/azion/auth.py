"""The Azion credential: a token, as the seed documents it."""

from __future__ import annotations

import requests
from requests.auth import AuthBase


class AzionTokenAuth(AuthBase):
    """`Authorization: Token <token>`, as the Azion seed documents."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Token {self.token}"
        return request
