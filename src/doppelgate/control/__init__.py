"""The control plane, at the bottom of the serving stack: the gateway uses it, testing/ and
contract/ build on it, and it imports none of them (nor the dialects).

    journal.py, capture.py   what each dialect was asked and answered (bounded, redacted)
    faults.py                fault specs and which one fires
    seed.py, snapshot.py     data in (vendor calls or documents) and out; values.py: tagged JSON
    asgi.py, compare.py      one in-memory HTTP exchange; the subset diff of seed `expect`s
    clockstore.py            where the clock's state lives (shared on MongoDB)
    verify.py                counting journaled calls
    operations.py            operation names (Dialect.operation_of, else route templates)
    layers.py                each dialect's request path in one layer (journal, faults...)
    routetable.py            a dialect's route matches, remembered per (method, path)
    plane.py                 Control: the Python face of all of it
    routes.py, extra.py, index.py, http.py   the same over HTTP under /_doppelgate/
"""
