"""`make lab` starts JupyterLab on the chapters with the course's environment.

The test runs the Makefile's own target headless (a free port, a token of its own, no
browser, Jupyter's runtime, config and data directories in a temporary folder), asks the
server's REST API what it serves, and shuts it down through the API.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from _project import BOOK, ROOT, notebooks


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, token, method="GET"):
    request = urllib.request.Request(url, method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
        return response.status, body


@pytest.fixture
def lab(tmp_path):
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    args = (
        f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0 "
        f"--IdentityProvider.token={token}"
    )
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"LAB_ARGS={args}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"`make lab` exited with {proc.returncode}:\n{proc.stdout.read().decode()[-3000:]}")
            try:
                _get(f"{base}/api/status", token)
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not answer within 90 s")
                time.sleep(0.5)
        yield base, token, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        proc.stdout.close()


def test_make_lab_serves_the_chapters_and_shuts_down(lab):
    base, token, proc = lab
    status, body = _get(f"{base}/api/status", token)
    assert status == 200 and "started" in json.loads(body)

    # The server's root is book/: its contents are the chapters on disk.
    status, body = _get(f"{base}/api/contents", token)
    listing = json.loads(body)
    served = sorted(item["name"] for item in listing["content"] if item["type"] == "notebook")
    assert served == [p.name for p in notebooks()] and served, served

    # A chapter opens as a notebook whose first code cell is the setup cell.
    first = served[0]
    status, body = _get(f"{base}/api/contents/{first}", token)
    model = json.loads(body)
    code = [c for c in model["content"]["cells"] if c["cell_type"] == "code"]
    assert "companion.setup_notebook" in code[0]["source"]

    # It is JupyterLab (not only the server) and its python3 kernel is offered.
    status, body = _get(f"{base}/lab", token)
    assert status == 200 and b"JupyterLab" in body
    status, body = _get(f"{base}/api/kernelspecs", token)
    assert "python3" in json.loads(body)["kernelspecs"]

    # A wrong token is refused.
    with pytest.raises(urllib.error.HTTPError) as refused:
        _get(f"{base}/api/contents", "not-the-token")
    assert refused.value.code == 403

    # Shut down through the API: make and JupyterLab exit.
    _get(f"{base}/api/shutdown", token, method="POST")
    assert proc.wait(timeout=30) == 0, proc.stdout.read().decode()[-3000:]
    assert BOOK.is_dir()
