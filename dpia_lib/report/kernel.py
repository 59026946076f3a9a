"""A Jupyter kernel manager whose kernels talk over IPC socket files instead of TCP.

ipykernel warns that its default TCP transport on localhost is unencrypted; an IPC socket is a file
readable only by its owner. The socket files live in Jupyter's runtime directory under a unique name
(an absolute path, so the kernel finds them whatever its working directory), and are removed when the
kernel shuts down. Used by the batch (:mod:`dpia_lib.batch.execute`) and by
:mod:`dpia_lib.report.refresh`.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum, default

__all__ = ["IpcKernelManager", "kernel_manager_class"]


class IpcKernelManager(AsyncKernelManager):
    """An async kernel manager with ``transport='ipc'`` and a unique absolute socket path."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

    @default("ip")
    def _ip_default(self) -> str:
        from jupyter_core.paths import jupyter_runtime_dir

        runtime = jupyter_runtime_dir()
        os.makedirs(runtime, mode=0o700, exist_ok=True)
        return os.path.join(runtime, f"dpia-{uuid.uuid4().hex[:16]}-ipc")


def kernel_manager_class(ipc: bool = True) -> Any:
    """:class:`IpcKernelManager`, or jupyter_client's TCP ``AsyncKernelManager`` when ``ipc`` is False."""
    return IpcKernelManager if ipc else AsyncKernelManager
