"""What the Akamai reference server's account holds from the start: the seed's sample lookups.

Groups, products, connector types and stream types are the seed's samples as printed. Data set
fields are the full "Data set parameters" table, grouped like the List data set fields sample
(ERRATUM-AKAMAI-104: 1068 once; -119: fields 2001-2010 added to the sample's groups). Properties
are the seed's sample properties plus synthetic ones, so that a run can create many streams (a
property belongs to one stream at a time).
"""

from __future__ import annotations

from typing import Any

ACCOUNT_ID = "1-ABCDE"

GROUPS: tuple[dict[str, Any], ...] = (
    {
        "parentGroupId": 21484,
        "groupId": 67377,
        "groupName": "Default Group",
        "description": None,
        "accountId": ACCOUNT_ID,
        "enabled": True,
        "contractIds": ["2-FGHIJ"],
        "childGroupIds": [],
        "childGroups": [],
    },
    {
        "parentGroupId": None,
        "groupId": 143553,
        "groupName": "Group-4",
        "description": None,
        "accountId": ACCOUNT_ID,
        "enabled": True,
        "contractIds": ["2-FGHIJ"],
        "childGroupIds": [],
        "childGroups": [],
    },
    {
        "parentGroupId": None,
        "groupId": 21483,
        "groupName": "Group-1",
        "description": "Group-1",
        "accountId": ACCOUNT_ID,
        "enabled": True,
        "contractIds": ["2-FGHIJ"],
        "childGroupIds": [67377, 21484],
        "childGroups": [67377, 21484],
    },
    {
        "parentGroupId": 21483,
        "groupId": 21484,
        "groupName": "Group 2",
        "description": "Group 2",
        "accountId": ACCOUNT_ID,
        "enabled": True,
        "contractIds": ["2-FGHIJ"],
        "childGroupIds": [67377],
        "childGroups": [67377],
    },
    {
        "parentGroupId": None,
        "groupId": 143215,
        "groupName": "Group 3",
        "description": None,
        "accountId": ACCOUNT_ID,
        "enabled": True,
        "contractIds": ["3-KLMNO"],
        "childGroupIds": [],
        "childGroups": [],
    },
    {
        "parentGroupId": None,
        "groupId": 21485,
        "groupName": "Backup Group",
        "description": "Backup Group",
        "accountId": ACCOUNT_ID,
        "enabled": True,
        "contractIds": ["3-KLMNO"],
        "childGroupIds": [],
        "childGroups": [],
    },
)

_PRODUCT_GROUPS: tuple[dict[str, Any], ...] = (
    {
        "groupId": 21483,
        "groupName": "DefaultGroup",
        "parentGroupId": None,
        "contractIds": ["2-FGHIJ"],
        "childGroups": [],
    },
    {
        "groupId": 21484,
        "groupName": "Group-1",
        "parentGroupId": 21483,
        "contractIds": ["2-FGHIJ"],
        "childGroups": [],
    },
    {
        "groupId": 67377,
        "groupName": "Group-2",
        "parentGroupId": 21484,
        "contractIds": ["2-FGHIJ"],
        "childGroups": [],
    },
)

PRODUCTS: tuple[dict[str, Any], ...] = (
    {
        "productId": "Adaptive_Media_Delivery",
        "productName": "Adaptive Media Delivery",
        "groups": [dict(g) for g in _PRODUCT_GROUPS],
        "templates": [{"templateName": "EDGE_LOGS"}],
    },
    {
        "productId": "Download_Delivery",
        "productName": "Download Delivery",
        "groups": [dict(g) for g in _PRODUCT_GROUPS],
        "templates": [{"templateName": "EDGE_LOGS"}],
    },
)

CONNECTOR_TYPES: tuple[dict[str, str], ...] = (
    {"connectorType": "AZURE", "connectorTypeName": "Azure Storage"},
    {"connectorType": "S3", "connectorTypeName": "S3"},
    {"connectorType": "DATADOG", "connectorTypeName": "Datadog"},
    {"connectorType": "SPLUNK", "connectorTypeName": "Splunk"},
)

STREAM_TYPES: tuple[dict[str, Any], ...] = (
    {"streamTypeName": "Logs - Raw", "streamType": "RAW_LOGS", "isRaw": True},
)
STREAM_TYPE_NAME = "Logs - Raw"
TEMPLATE_NAME = "EDGE_LOGS"

# Names and descriptions from the List data set fields sample; fields the sample omits
# (2001-2010) take the Data set parameters table's wording and join the closest sample group.
_F = tuple[int, str, str]
_DATASET_GROUPS: tuple[tuple[str, str | None, tuple[_F, ...]], ...] = (
    (
        "Log information",
        "Contains fields that can be used to identify/tag a log line",
        (
            (1000, "CP Code", "Content Provider Code associated with Request"),
            (1002, "Request ID", "The request identifier associated with request"),
            (1100, "Request Time", "Start time of the request"),
        ),
    ),
    (
        "Message exchange data",
        "Contains fields representing the exchange of data between Akamai & end user",
        (
            (1005, "Bytes", "The content bytes served in the client response"),
            (1006, "Client IP", "The IP address of the requesting client"),
            (1008, "HTTP Status Codes", "The HTTP Response status sent to the client"),
            (
                1009,
                "Protocol Type",
                "The protocol of the transaction being monitored. Currently HTTP or HTTPS.",
            ),
            (
                1011,
                "Request Host",
                "The value of the Host header of the incoming client request",
            ),
            (
                1012,
                "Request Method",
                "The method of the incoming request - assuming an HTTP request. For example: "
                "GET, POST, PUT, and HEAD",
            ),
            (
                1013,
                "Request Path",
                "The path used in the incoming URL from the client, not including query strings",
            ),
            (1014, "Request Port", "The port number of the incoming client request"),
            (
                1015,
                "Response Content Length",
                "The value of the Content-Length header in the client response",
            ),
            (
                1016,
                "Response Content Type",
                "The value of the Content-Type header in the client request",
            ),
            (1017, "User-Agent", "The value of the User-Agent header in the client request"),
            (
                1101,
                "Total Bytes",
                "The total bytes served in client response including content & HTTP overhead",
            ),
            (2002, "TLS version", "The protocol of the TLS handshake, either TLSv1.2 or TLSv1.3."),
            (2003, "Object size", "The size of the object, excluding HTTP response headers."),
            (
                2004,
                "Uncompressed size",
                "The size of the uncompressed object, if zipped before sending to the client.",
            ),
            (
                2005,
                "Max-Age",
                "The time in seconds that the object is valid for positive cache responses.",
            ),
            (2009, "Query string", "The query string in the incoming URL from the client."),
            (
                2010,
                "Cache status",
                "The request was served from the edge cache or peer (1), or forwarded to parent "
                "or origin (0).",
            ),
        ),
    ),
    (
        "Request header data",
        "Contains fields representing the information sent as part of request headers to Akamai",
        (
            (
                1019,
                "Accept-Language",
                "Provides a list of acceptable human languages for response. For example, "
                "American English is en-US",
            ),
            (
                1023,
                "Cookie",
                "Lists the HTTP cookie previously sent by the server in the Set-Cookie ",
            ),
            (
                1031,
                "Range",
                "Requests a specific part of an entity by providing a single byte range or a set "
                "of byte ranges. Bytes are numbered from 0. ",
            ),
            (1032, "Referer", "Lists the resource from which the requested URL was obtained"),
            (
                1037,
                "X-Forwarded-For",
                "Identifies the originating IP address of a client connecting to a web server "
                "through an HTTP proxy or load balancer",
            ),
        ),
    ),
    (
        "Network performance data",
        "Contains fields representing the performance/troubleshooting metrics",
        (
            (1033, "Request Time", "Provides the time of the request"),
            (
                1066,
                "Edge IP",
                "The IP address of the edge server that served the response to the client. This "
                "is useful when resolving issues with your account representative",
            ),
            (
                1068,
                "Error Code R14",
                "If there's an error serving the request a string indicating the problem is "
                "logged here.",
            ),
            (
                1102,
                "Turn Around Time",
                "The time in milliseconds between receipt of the end of the request headers and "
                "when the first byte of the reply is written to the client socket",
            ),
            (
                1103,
                "Transfer Time",
                "The time in milliseconds it took to send the response to the client, measured "
                "from the time Akamai Edge was ready to send the first byte to when it sent the "
                "last byte.",
            ),
            (
                2001,
                "TLS overhead time",
                "The time in milliseconds between when the edge server accepts the connection "
                "and the completion of the SSL handshake.",
            ),
            (2006, "Overhead bytes", "TCP overhead in bytes for the request and response."),
            (
                2007,
                "DNS lookup time",
                "The time in seconds between the start of the request and the completion of the "
                "DNS lookup, if one was required. For cached IP addresses, this value is zero.",
            ),
        ),
    ),
    (
        "Other",
        None,
        (
            (
                1082,
                "Custom Field",
                "contains the value specified by the metadata tag reporting:lds.custom-field. "
                "Note that, the tag can (and generally would) take an extracted variable as its "
                "content, so the value of this field isn't fixed.",
            ),
        ),
    ),
)

# Fields that only the seed's table lists (the operation sample stops at 1103 and 1082).
TABLE_ONLY_FIELD_IDS = frozenset({2001, 2002, 2003, 2004, 2005, 2006, 2007, 2009, 2010})


def dataset_groups() -> list[dict[str, Any]]:
    """The listDatasetFields body for EDGE_LOGS (a fresh copy)."""
    groups: list[dict[str, Any]] = []
    for name, description, fields in _DATASET_GROUPS:
        group: dict[str, Any] = {"datasetGroupName": name}
        if description is not None:
            group["datasetGroupDescription"] = description
        group["datasetFields"] = [
            {
                "datasetFieldId": field_id,
                "datasetFieldName": field_name,
                "datasetFieldDescription": field_description,
            }
            for field_id, field_name, field_description in fields
        ]
        groups.append(group)
    return groups


# The seed's sample properties (List properties, Get a stream), all placed where the seed's
# Create a stream sample needs them: Download_Delivery in group 21484.
SEED_PROPERTIES: tuple[tuple[int, str], ...] = (
    (382631, "customp.akamai.com"),
    (347459, "example.com"),
    (389150, "eip.yjeong.com"),
    (389178, "eip.yjeong3.com"),
    (398541, "gomez-eip"),
    (349773, "eip1.com"),
    (349772, "eib1.com"),
)
SEED_PROPERTY_PAIR = ("Download_Delivery", 21484)
SYNTHETIC_PROPERTIES_PER_PAIR = 10
FIRST_SYNTHETIC_PROPERTY_ID = 900001


def properties_by_pair() -> dict[tuple[str, int], list[dict[str, Any]]]:
    """Active properties per (productId, groupId): the seed's, then synthetic ones."""
    pairs: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for product in PRODUCTS:
        for group in product["groups"]:
            pairs[(product["productId"], group["groupId"])] = []
    pairs[SEED_PROPERTY_PAIR].extend(
        {"propertyId": pid, "propertyName": name} for pid, name in SEED_PROPERTIES
    )
    number = 1
    for _ in range(SYNTHETIC_PROPERTIES_PER_PAIR):
        for key in pairs:
            pairs[key].append(
                {
                    "propertyId": FIRST_SYNTHETIC_PROPERTY_ID + number - 1,
                    "propertyName": f"dsconform-property-{number:02d}.example.com",
                }
            )
            number += 1
    return pairs
