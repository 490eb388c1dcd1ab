# doppelgate: the emulator server, built from this checkout.
FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
COPY dialects ./dialects
RUN pip install --no-cache-dir . && useradd --system doppelgate
USER doppelgate
EXPOSE 8080
# listen on all interfaces inside the container; the port mapping decides who can reach it.
# The control plane then needs DOPPELGATE_CONTROL_TOKEN (else a random token is logged).
CMD ["doppelgate", "serve", "--host", "0.0.0.0", "--port", "8080"]
