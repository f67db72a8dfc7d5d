"""A kernel manager whose ``python3`` kernels are forked by the build's zygote.

``WarmKernelManager`` is jupyter_client's manager with one change: the ``python3``
kernel, when it is this very interpreter, is started through ``kernel_shim``, which asks
the zygote for a forked kernel instead of starting Python and importing everything
again. Other kernels, and managers without a zygote socket, start the stock way.
"""

from __future__ import annotations

import sys
from pathlib import Path

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets import Unicode, default

SHIM = Path(__file__).with_name("kernel_shim.py")


class WarmKernelSpecManager(KernelSpecManager):
    zygote_socket = Unicode("")

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        spec: KernelSpec = super().get_kernel_spec(kernel_name)
        if self.zygote_socket and _is_this_python(spec):
            spec.argv = [
                sys.executable,
                "-I",
                "-S",
                str(SHIM),
                self.zygote_socket,
                "{connection_file}",
            ]
        return spec


class WarmKernelManager(AsyncKernelManager):
    """Configure ``WarmKernelManager.zygote_socket``; empty means stock kernels."""

    zygote_socket = Unicode("", config=True)

    @default("kernel_spec_manager")
    def _warm_specs(self) -> WarmKernelSpecManager:
        return WarmKernelSpecManager(data_dir=self.data_dir, zygote_socket=self.zygote_socket)


def _is_this_python(spec: KernelSpec) -> bool:
    argv = list(spec.argv)
    if spec.language != "python" or len(argv) < 3 or "ipykernel_launcher" not in argv:
        return False
    exe = argv[0]
    return exe in {"python", "python3"} or Path(exe).resolve() == Path(sys.executable).resolve()
