"""Expert-panel disputes, the pure part: registry model, fair draw, votes, statutory car remedy.

Nothing here does I/O, reads a clock or draws unseeded randomness, so a dispute
workflow can import it and replay it. Dates and seeds always come in as arguments.
"""
