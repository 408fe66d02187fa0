#!/bin/sh
# Build the grader's image for deploy/compose.yaml (docs/department-server.md):
#
#   deploy/build.sh                    on python:3.11-slim (pulled from a registry if missing)
#   deploy/build.sh --registry-free    on the Debian base `grader image build --registry-free` made
#
# The wheels are downloaded here (PyPI or your pip index), for the image's Python: 3.11 on Linux,
# this machine's architecture. The build itself runs with no network.
set -eu
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
TAG=${GRADER_IMAGE:-concurrency-grader-site:latest}
BASE=${GRADER_BASE_IMAGE:-python:3.11-slim}
if [ "${1:-}" = "--registry-free" ]; then
    BASE=$(docker images --format '{{.Repository}}:{{.Tag}}' concurrency-grader-base | head -n 1)
    if [ -z "$BASE" ]; then
        echo "No concurrency-grader-base image on this Docker engine: make it first with" >&2
        echo "  sudo grader image build --registry-free" >&2
        exit 2
    fi
elif [ -n "${1:-}" ]; then
    echo "usage: deploy/build.sh [--registry-free]" >&2
    exit 2
fi
machine=$(uname -m)
PYVERSION=3.11
# pip download judges a dependency's python_full_version marker by the Python running it, not the
# image's: what Debian bookworm's 3.11.2 needs and a newer 3.11 does not is named here (unused there).
OLD_311="async-timeout>=4.0.3"
rm -rf deploy/wheels
mkdir -p deploy/wheels
"$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir deploy/wheels .
wheel=$(ls deploy/wheels/concurrency_grader-*.whl)
"$PYTHON" -m pip download --quiet --only-binary=:all: --python-version "$PYVERSION" --implementation cp \
    --abi cp311 --abi abi3 --abi none --platform "manylinux_2_28_$machine" --platform "manylinux2014_$machine" \
    --platform any --dest deploy/wheels "$wheel[site]" "$OLD_311"
echo "building $TAG on $BASE (no network inside the build)"
docker build --network none --build-arg BASE="$BASE" --file deploy/Dockerfile --tag "$TAG" .
echo "$TAG built. Next: docker compose -f deploy/compose.yaml up -d"
