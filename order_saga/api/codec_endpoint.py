"""Temporal's remote codec protocol (`POST /codec/encode`, `/codec/decode`), so the Web UI
shows decrypted payloads while the server stores only ciphertext. Only operators may call it:
the Web UI forwards its user's access token (its codec setting "pass the user access token")."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads
from temporalio.converter import PayloadCodec

from order_saga.api.auth import Decoder

JSON = "application/json"


def codec_router(codec: PayloadCodec) -> APIRouter:
    """The two routes of the protocol; each takes and returns `{"payloads": [...]}`."""
    router = APIRouter(prefix="/codec", tags=["codec"])

    async def convert(request: Request, encode: bool) -> Response:
        payloads = json_format.Parse(await request.body(), Payloads())
        done = await (codec.encode if encode else codec.decode)(list(payloads.payloads))
        body = json_format.MessageToJson(Payloads(payloads=done))
        return Response(body, media_type=JSON)

    @router.post("/encode")
    async def encode(request: Request, _: Decoder) -> Response:
        """Encrypt payloads (the UI sends what a person types, e.g. a signal's input)."""
        return await convert(request, encode=True)

    @router.post("/decode")
    async def decode(request: Request, _: Decoder) -> Response:
        """Decrypt payloads for the UI."""
        return await convert(request, encode=False)

    return router
