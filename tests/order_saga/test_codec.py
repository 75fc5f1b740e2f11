"""Private data stays private in history: payloads are encrypted by the codec, the server
and a client without the key see only ciphertext, the codec endpoint decrypts for the Web UI,
and keys rotate."""

from __future__ import annotations

import base64
import dataclasses

import httpx
import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from activities.notification.contracts import mail_workflow_id
from order_saga.access.authenticator import Authenticator
from order_saga.access.roles import Role
from order_saga.api.app import create_app
from order_saga.client import order_result, start_order
from order_saga.codec import CodecKeyError, EncryptionCodec, new_key, parse_keys
from tests.helpers import new_key_for, order
from tests.workflows.stub_activities import Stubs
from tests.workflows.stub_worker import stub_worker

OLD, NEW = f"k1:{new_key()}", f"k2:{new_key()}"
EMAIL = "jane.doe@example.com"
SECRET_BITS = ("123 Main St", "Springfield", "62701", "pm_card_visa", EMAIL)


def with_codec(client: Client, keys: str) -> Client:
    config = client.config()
    config["data_converter"] = dataclasses.replace(
        pydantic_data_converter, payload_codec=EncryptionCodec(parse_keys(keys))
    )
    return Client(**config)


async def test_the_history_holds_no_address_or_payment_method_and_the_endpoint_decodes_it(
    env, queue_prefix, engine
) -> None:
    client = with_codec(env.client, OLD)
    request = order(("prod-456", 2, "19.99")).model_copy(
        update={"handover_delay_seconds": 0, "customer_email": EMAIL}
    )
    stubs = Stubs()
    async with stub_worker(client, queue_prefix, stubs):
        handle = await start_order(client, request, queue_prefix)
        result = await order_result(handle)
        mail = client.get_workflow_handle(mail_workflow_id(handle.id, "confirmed"))
        await mail.result()
    assert result.total is not None  # the client with the key reads the result
    assert [m.to for m in stubs.mails] == [EMAIL]  # the mail's worker reads the address

    for workflow_id in (handle.id, mail.id):  # the saga's history, and its mail's
        raw = (await env.client.get_workflow_handle(workflow_id).fetch_history()).to_json()
        assert not [bit for bit in SECRET_BITS if bit in raw]
    started = (await handle.fetch_history()).events[0]
    encrypted = started.workflow_execution_started_event_attributes.input
    assert encrypted.payloads[0].metadata["encoding"] == b"binary/encrypted"

    authenticator = Authenticator(engine=engine)
    app = create_app(
        client, queue_prefix, codec=EncryptionCodec(parse_keys(OLD)), authenticator=authenticator
    )
    _, operator = new_key_for(engine, Role.OPERATOR)
    _, storefront = new_key_for(engine, Role.STOREFRONT)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api"
    ) as http:
        asked = {"content-type": "application/json", "x-namespace": "default"}
        body = json_format.MessageToJson(encrypted)
        nobody = await http.post("/codec/decode", content=body, headers=asked)
        shop = await http.post(
            "/codec/decode",
            content=body,
            headers={**asked, "authorization": f"Bearer {storefront}"},
        )
        answer = await http.post(
            "/codec/decode", content=body, headers={**asked, "authorization": f"Bearer {operator}"}
        )
    assert (nobody.status_code, shop.status_code) == (401, 403)  # operators alone decrypt
    decoded = json_format.Parse(answer.text, Payloads()).payloads[0]
    assert b"123 Main St" in decoded.data and decoded.metadata["encoding"] == b"json/plain"


async def test_an_old_key_still_decodes_after_rotation() -> None:
    payload = Payload(metadata={"encoding": b"json/plain"}, data=b'{"street": "123 Main St"}')
    [sealed] = await EncryptionCodec(parse_keys(OLD)).encode([payload])
    rotated = EncryptionCodec(parse_keys(f"{NEW},{OLD}"))  # the new key first, the old kept

    assert await rotated.decode([sealed]) == [payload]
    [resealed] = await rotated.encode([payload])
    assert resealed.metadata["encryption-key-id"] == b"k2"
    with pytest.raises(CodecKeyError, match="'k2', not configured"):
        await EncryptionCodec(parse_keys(OLD)).decode([resealed])


KEY_WITHOUT_ID = new_key()


@pytest.mark.parametrize(
    "keys",
    ["", "k1", f"k1:{base64.b64encode(b'short').decode()}", "k1:not base64!", KEY_WITHOUT_ID],
)
def test_malformed_keys_are_refused_naming_the_setting_never_the_key(keys: str) -> None:
    with pytest.raises(CodecKeyError, match="PAYLOAD_KEYS") as refused:
        parse_keys(keys)
    assert KEY_WITHOUT_ID not in str(refused.value)
