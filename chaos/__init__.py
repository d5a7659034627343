"""`escrow chaos`: many escrows through their whole life while processes die and the bank misbehaves.

`schedule` draws the seeded fault schedule, `processes` runs and breaks the stack,
`driver` plays the parties over HTTP, `reconcile` compares bank, workflow and read
model afterwards, and `run` ties them together for the CLI and the test suite.
"""
