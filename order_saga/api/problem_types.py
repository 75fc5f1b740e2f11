"""What each problem type means: `GET /problems/<type>` answers with it, and a client reads
it once to learn what an answer of that type asks of it."""

from __future__ import annotations

MEANINGS = {
    "invalid-request": "The request does not fit: each entry of `errors` names a field.",
    "too-large": "The body is larger than any order (64 KiB); nothing was read.",
    "no-order": "No saga ever ran for that order id (or workflow id).",
    "order-exists": "That order already has a saga; `Location` is its status. Nothing ran twice.",
    "refused": "The order is past what was asked (handed to the carrier, ended, not waiting).",
    "idempotency-key-reused": "The Idempotency-Key came with another request before.",
    "payment-declined": "A checkout's payment was refused (declined, the bank's authentication "
    "failed): the order is undone, its stock released, nothing held.",
    "out-of-stock": "A checkout's order asked for more than is in stock: nothing was held.",
    "invalid-order": "A checkout's order names an unknown product or another price: nothing "
    "was held.",
    "order-ended": "The order ended (cancelled, expired, undone) without its payment held.",
    "unavailable": "Temporal or a worker did not answer: retry the same request after "
    "`Retry-After` seconds; an order never starts twice.",
    "not-found": "No such route.",
    "unauthenticated": "No credentials, or ones that prove no one (unknown, revoked, forged, "
    "expired, for another audience): send `Authorization: Bearer <API key or JWT>`.",
    "forbidden": "The caller is known, but their role may not do this.",
    "rate-limited": "Too many orders from this caller: send again after `Retry-After` seconds.",
    "bad-signature": "A webhook whose signature (Stripe-Signature, Carrier-Signature) does not "
    "verify against the endpoint's secret (tampered, signed with another secret, or older "
    "than five minutes).",
    "method-not-allowed": "The route does not take that method; `Allow` says which.",
}
