// SPDX-License-Identifier: GPL-2.0
/*
 * lab_pagelock: the founding case's shape (a RHEL7 hard lockup in put_compound_page), on 6.1.
 * A compound page (order 9, like a THP) is allocated at load time; its head page's flags word
 * carries a bit lock (bit LAB_PG_LOCK_BIT = PG_locked, taken with bit_spin_lock, as 3.10 did with
 * PG_compound_lock). User threads "lab_rw" write to /proc/lab_pagelock:
 *   "hold": take the bit lock and sleep holding it (scheduled out in lab_put_compound_page,
 *           "BUG: scheduling while atomic") - the outlier of the case;
 *   "spin": disable interrupts (like get_futex_key around __get_user_pages_fast) and spin in
 *           bit_spin_lock on the same word - a hard lockup on every other CPU.
 * Stacks: entry_SYSCALL_64 -> ... -> vfs_write -> proc_reg_write -> lab_pagelock_write ->
 * lab_get_page_key -> lab_put_compound_page -> (bit_spin_lock spin loop | schedule).
 */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/bit_spinlock.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#define LAB_PG_LOCK_BIT PG_locked

struct page *lab_pagelock_head;	/* the compound page whose flags hold the lock bit */
unsigned int lab_pagelock_order;
static struct proc_dir_entry *lab_pagelock_entry;

static noinline void lab_put_compound_page(struct page *head, bool hold)
{
	bit_spin_lock(LAB_PG_LOCK_BIT, &head->flags);
	if (hold) {
		pr_info("lab_pagelock: %s/%d took bit %d of page %px (flags@%px) on cpu %d, sleeping with it held\n",
			current->comm, current->pid, LAB_PG_LOCK_BIT, head, &head->flags,
			raw_smp_processor_id());
		schedule_timeout_uninterruptible(3600 * HZ);
	}
	bit_spin_unlock(LAB_PG_LOCK_BIT, &head->flags);
}

static noinline void lab_get_page_key(bool hold)
{
	unsigned long flags = 0;

	if (!hold)
		local_irq_save(flags);
	lab_put_compound_page(lab_pagelock_head, hold);
	if (!hold)
		local_irq_restore(flags);
}

static noinline ssize_t lab_pagelock_write(struct file *file, const char __user *ubuf,
					   size_t len, loff_t *ppos)
{
	char cmd[8] = {};

	if (copy_from_user(cmd, ubuf, min(len, sizeof(cmd) - 1)))
		return -EFAULT;
	if (!strncmp(cmd, "hold", 4)) {
		lab_get_page_key(true);
	} else if (!strncmp(cmd, "spin", 4)) {
		pr_info("lab_pagelock: %s/%d spinning on page %px with irqs off on cpu %d\n",
			current->comm, current->pid, lab_pagelock_head, raw_smp_processor_id());
		lab_get_page_key(false);
	} else {
		return -EINVAL;
	}
	return len;
}

static const struct proc_ops lab_pagelock_ops = {
	.proc_write = lab_pagelock_write,
};

static int __init lab_pagelock_init(void)
{
	for (lab_pagelock_order = 9; ; lab_pagelock_order--) {
		lab_pagelock_head = alloc_pages(GFP_KERNEL | __GFP_COMP | __GFP_NOWARN, lab_pagelock_order);
		if (lab_pagelock_head || lab_pagelock_order == 1)
			break;
	}
	if (!lab_pagelock_head)
		return -ENOMEM;
	lab_pagelock_entry = proc_create("lab_pagelock", 0200, NULL, &lab_pagelock_ops);
	if (!lab_pagelock_entry) {
		__free_pages(lab_pagelock_head, lab_pagelock_order);
		return -ENOMEM;
	}
	pr_info("lab_pagelock: compound page %px order %u pfn %lx flags %lx\n", lab_pagelock_head,
		lab_pagelock_order, page_to_pfn(lab_pagelock_head), lab_pagelock_head->flags);
	return 0;
}

static void __exit lab_pagelock_exit(void)
{
	proc_remove(lab_pagelock_entry);
	__free_pages(lab_pagelock_head, lab_pagelock_order);
}
module_init(lab_pagelock_init);
module_exit(lab_pagelock_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("crash lab: bit lock in a compound page's flags, spun on with irqs off from syscalls");
