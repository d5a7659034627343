"""What every process that takes signed steps shares: envelopes and signatures, payload reading,
refusals, the step machine base, and the parties' keys."""
