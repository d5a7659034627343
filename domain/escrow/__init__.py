"""The renovation escrow as a pure state machine: steps in, state and money movements out."""
