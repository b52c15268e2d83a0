"""The local HTTP API used by the Thunderbird add-on (loopback only, bearer token).

``server.ApiService`` is the daemon service; ``openapi.DOCUMENT`` describes every route.
"""

from daemon.api.server import ApiService, api_service

__all__ = ["ApiService", "api_service"]
