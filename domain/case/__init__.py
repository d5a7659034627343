"""The expert-panel dispute as a pure state machine (DESIGN "Expert-panel dispute")."""
