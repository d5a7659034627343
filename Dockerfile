# The one image behind every application service in docker-compose.yml:
# `escrow migrate`, `escrow bank`, `escrow worker`, `escrow api`.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ESCROW_DATA_DIR=/data

WORKDIR /app

# Pinned dependencies first: this layer changes only when the lock does.
COPY requirements.lock ./
RUN pip install -r requirements.lock

# The project itself (one line per package in pyproject.toml's packages.find include).
COPY pyproject.toml ./
COPY activities/ activities/
COPY api/ api/
COPY bench/ bench/
COPY chaos/ chaos/
COPY cli/ cli/
COPY client/ client/
COPY config/ config/
COPY db/ db/
COPY domain/ domain/
COPY evidence/ evidence/
COPY expert_panels/ expert_panels/
COPY notify/ notify/
COPY outbound_webhooks/ outbound_webhooks/
COPY public_record/ public_record/
COPY sandbox_bank/ sandbox_bank/
COPY sandbox_messages/ sandbox_messages/
COPY web/ web/
COPY workflows/ workflows/
# Editable, so migrations and other data files are used from /app exactly as in development.
RUN pip install --no-deps -e . \
    && useradd --system --uid 10001 --home-dir /data --create-home escrow \
    && mkdir /data/evidence && chown escrow: /data/evidence

# The commit the image is built from: with no git in the image, a worker's build id (its Worker
# Deployment version, docs/VERSIONING.md) reads it from here. Last, so a new commit rebuilds one layer.
ARG SOURCE_COMMIT
ENV ESCROW_SOURCE_COMMIT=${SOURCE_COMMIT}

USER escrow
ENTRYPOINT ["escrow"]
CMD ["api"]
