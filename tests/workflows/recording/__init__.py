"""Record real saga runs for the replay test: `python -m tests.workflows.recording`.

Every outcome, in both placements, from the saga's one shape: a subscriber to order events is
registered and every order has the customer's address, so the histories carry the event
delivery and the mails; one order is started with its checkout update (Update-with-Start).
Most run against the real activities and the local Stripe server; a refund that fails then
goes through on a person's retry, a shipment never booked before the deadline and a void
during a gateway outage, with stubs. Run it after a deliberate change to what the saga
records (docs/changing-the-saga.md); never to make a failing replay pass. The time-skipping
server does not skip a saga's timers while its event delivery is open, so the deadline, the
lapsed authorization and the unanswered 3-D Secure take their time in full: about four
minutes a placement.
"""
