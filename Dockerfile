# dsconform in a container, installed from this checkout as a wheel would be.
#   docker build -t dsconform .
#   docker run --rm dsconform run --api all
#   docker run --rm -v "$PWD/reports:/work/reports" dsconform run --api azion \
#       --base-url https://api.azionapi.net --token "$AZION_TOKEN" --report-dir reports/azion
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Only what the package is built from (.dockerignore keeps the rest, and any secret, out).
COPY pyproject.toml README.md /src/
COPY specs/ /src/specs/
COPY conformance/ /src/conformance/
# A regular (non-editable) install: the contracts come from the package (conformance/_contracts).
RUN pip install /src && rm -rf /src

RUN useradd --create-home --uid 1000 dsconform && mkdir /work && chown dsconform /work
USER dsconform
WORKDIR /work
ENTRYPOINT ["dsconform"]
CMD ["--help"]
