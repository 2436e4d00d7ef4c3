# The `stat` command: who and where this instance is, after faas_measure's stat_basic.
import os
import re
import socket
import struct
import tempfile
import urllib.error
import urllib.request
import uuid

ID_FILE = "faasbench-measure-id"
PUB_IP_TIMEOUT_MS = 2000


def _read_text(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


def instance_ids():
    """The id stored in the instance's temp dir, created on its first call. Linking a complete
    file into place creates it only if absent, so concurrent first calls agree on one id."""
    new_id = str(uuid.uuid4())
    path = os.path.join(tempfile.gettempdir(), ID_FILE)
    draft = f"{path}.{new_id}"
    with open(draft, "w", encoding="utf-8") as f:
        f.write(new_id)
    try:
        os.link(draft, path)
        return {"exist_id": new_id, "new_id": new_id}
    except FileExistsError:
        return {"exist_id": _read_text(path).strip(), "new_id": new_id}
    finally:
        os.unlink(draft)


def _last_segment(cgroup_path):
    parts = [p for p in cgroup_path.split("/") if p]
    return parts[-1] if parts else None


def cgroup_ids():
    """inst_id: the last segment of the memory cgroup (v1), else of the unified "0::" cgroup;
    vm_id: the kernel's boot id. Without such a cgroup (a VM per instance, as on Lambda) both are
    the boot id, and the hostname stands in when the boot id is unreadable."""
    vm_id = (_read_text("/proc/sys/kernel/random/boot_id") or "").strip() or socket.gethostname()
    lines = [line.split(":", 2) for line in (_read_text("/proc/self/cgroup") or "").split("\n")]
    lines = [line for line in lines if len(line) == 3]
    memory = next((line for line in lines if "memory" in line[1].split(",")), None)
    unified = next((line for line in lines if line[0] == "0" and line[1] == ""), None)
    inst_id = (memory and _last_segment(memory[2])) or (unified and _last_segment(unified[2])) or vm_id
    return {"vm_id": vm_id, "inst_id": inst_id}


_SIOCGIFFLAGS = 0x8913
_SIOCGIFADDR = 0x8915
_IFF_UP, _IFF_LOOPBACK, _IFF_RUNNING = 0x1, 0x8, 0x40


def first_private_ipv4():
    """The first non-loopback IPv4 address of an interface that is up, in interface order: what
    node's os.networkInterfaces() lists, read with the ioctls the stdlib offers (Linux only)."""
    try:
        import fcntl

        names = [name for _, name in socket.if_nameindex()]
    except (ImportError, OSError):
        return None
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for name in names:
            req = struct.pack("256s", name.encode()[:15])
            try:
                flags = struct.unpack("H", fcntl.ioctl(s.fileno(), _SIOCGIFFLAGS, req)[16:18])[0]
                if flags & _IFF_LOOPBACK or not (flags & _IFF_UP and flags & _IFF_RUNNING):
                    continue
                return socket.inet_ntoa(fcntl.ioctl(s.fileno(), _SIOCGIFADDR, req)[20:24])
            except OSError:
                continue  # no IPv4 address on this interface
    return None


def uptime():
    return ",".join((_read_text("/proc/uptime") or "").split())


def cpu_info():
    """ "count,model name" from /proc/cpuinfo; "unknown" where the kernel names no model (ARM)."""
    text = _read_text("/proc/cpuinfo") or ""
    count = len(re.findall(r"^processor\s*:", text, re.M))
    model = re.search(r"^model name\s*:\s*(.*)$", text, re.M)
    return f"{count},{model.group(1).strip() if model else 'unknown'}"


def public_ip(url):
    try:
        with urllib.request.urlopen(url, timeout=PUB_IP_TIMEOUT_MS / 1000) as res:
            return {"vm_pub_ip": res.read().decode("utf-8", "replace").strip()}
    except urllib.error.HTTPError as err:
        reason = f"HTTP {err.code}"
    except (TimeoutError, socket.timeout):
        reason = f"no answer within {PUB_IP_TIMEOUT_MS} ms"
    except urllib.error.URLError as err:
        timed_out = isinstance(err.reason, (TimeoutError, socket.timeout))
        reason = f"no answer within {PUB_IP_TIMEOUT_MS} ms" if timed_out else str(err.reason)
    except OSError as err:
        reason = str(err)
    return {"vm_pub_ip": None, "vm_pub_ip_error": f"{url}: {reason}"}


def stat(args):
    priv_ip = first_private_ipv4()
    pub = public_ip(args["pub_ip_url"]) if args["pub_ip_url"] else {"vm_pub_ip": None}
    return {
        **instance_ids(),
        **cgroup_ids(),
        "vm_priv_ip": priv_ip,
        **pub,
        "inst_priv_ip": priv_ip,
        "uptime": uptime(),
        "cpu_info": cpu_info(),
        # How Lambda started the instance: on-demand, or provisioned-concurrency ahead of its calls.
        "init_type": os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE"),
    }
