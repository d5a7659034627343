"""The evidence store: photos, videos and documents kept by the SHA-256 of their bytes.

A file is uploaded before a step naming it is signed (api/routes/evidence.py), under the same
'sha256:' value the signed envelope carries; the bytes live behind one small interface on
obstore (store.py: local files, memory, or an S3-compatible bucket). See docs/EVIDENCE.md.
"""
