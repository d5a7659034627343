"""What every process that takes signed steps shares: envelopes and signatures, step declarations
(`spec.py`) with their payload field types and refusal codes, refusals, the step machine base,
and the parties' keys."""
