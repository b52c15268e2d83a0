"""The local HTTP API used by the Thunderbird add-on (loopback only, bearer token).

``server.ApiService`` is the daemon service (``server.api_service`` its factory);
``routes.ROUTES`` is the route table it serves and ``openapi.DOCUMENT``, generated from
it, describes. The package imports none of its modules
itself, so a command that needs only ``security`` (``trustmail token``) does not load
the server.
"""
