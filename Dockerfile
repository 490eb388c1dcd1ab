# doppelgate: the emulator server, built from this checkout.
# A fixed base version (not a floating tag), so a rebuild gets the same Python and Debian.
FROM python:3.12.8-slim-bookworm

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
COPY dialects ./dialects
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --create-home --home-dir /home/doppelgate doppelgate \
    && mkdir -p /data \
    && chown doppelgate /data

# /data: a writable place for --data-file and the local CA (a named volume keeps it)
VOLUME ["/data"]
ENV DOPPELGATE_CA_DIR=/data/ca
USER 10001
EXPOSE 8080

HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/_doppelgate/health')"]

# listen on all interfaces inside the container; the port mapping decides who can reach it.
# The control plane then needs DOPPELGATE_CONTROL_TOKEN (else a random token is logged).
ENTRYPOINT ["doppelgate"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
