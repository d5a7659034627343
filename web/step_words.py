"""The words static/steps.js says itself on every page that signs a step: the dialog's fixed
lines, yes and no, its own refusals (a bad amount, a refused step, an answer that never came
back, a device that holds no key for the signer), and how each evidence file's upload goes
(the store's refusals named by their code). Each page adds the words of its own steps to these;
one list, so that no page can lack one of them.
"""

STEPS_JS_WORDS = (
    "field.action",
    "field.signer",
    "field.item_hint",
    "word.yes",
    "word.no",
    "error.step",
    "error.no_answer",
    "error.amount",
    "errors.no_key_here",
    *(
        f"upload.{state}"
        for state in ("hashing", "sending", "done", "failed", "no_answer", "mismatch", "refused")
    ),
    *(
        f"upload.refused.{code}"
        for code in (
            "file_too_large",
            "unsupported_file_type",
            "unreadable_image",
            "unreadable_video",
            "hash_mismatch",
        )
    ),
)
