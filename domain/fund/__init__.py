"""A business's advance-compensation fund (先行赔付): docs/ADVANCE_COMPENSATION.md."""
