# drgn 0.0.22: print the kernel log of a dump (used by big.sh to time drgn reading the log)
#   drgn -q -c vmcore -s vmlinux-dbg drgn_dmesg.py
from drgn.helpers.linux.printk import get_dmesg

prog = prog  # noqa: F821 (injected by drgn)
print(get_dmesg(prog).decode(errors="replace"), end="")
