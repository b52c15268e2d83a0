"""``POST /v1/pair``: the add-on redeems a pairing window (see ``daemon.runtime.pairing``).

Unsecured route (the add-on has no token yet); everything else the API checks still
applies first (loopback Host, extension-or-no Origin). The answer is the token, to be
kept in the add-on's own storage; a refusal is a 403 whose ``code`` says why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from starlette.requests import Request

from daemon.api import peer
from daemon.api.errors import HttpError
from daemon.api.models import PairRequest, PairResponse
from daemon.runtime import pairing
from daemon.runtime.logs import log_event

log = logging.getLogger("trustmail.api")


class PairEndpoint:
    """Hands out the current token (``token()``) to a request that redeems the window,
    and tells ``paired`` the add-on's origin (the only one answered from then on)."""

    def __init__(self, token: Callable[[], str], path: Path | None = None,
                 paired: Callable[[str], None] | None = None) -> None:
        self.token = token
        self.path = path or pairing.pairing_path()
        self.paired = paired

    async def __call__(self, request: Request, body: PairRequest) -> PairResponse:
        code = body.code
        same_user = peer.same_user_as_daemon()
        try:
            pairing.redeem(self.path, code=code,
                           same_user=same_user,
                           from_extension="origin" in request.headers)
        except pairing.PairingError as error:
            log_event(log, logging.WARNING, "pairing-refused", reason=error.code,
                      same_user=same_user)
            raise HttpError(403, error.code, error.message) from None
        origin = request.headers.get("origin")
        if origin is not None and self.paired is not None:
            self.paired(origin)
        log_event(log, logging.INFO, "paired", mode="code" if code else "auto")
        return PairResponse(token=self.token())
