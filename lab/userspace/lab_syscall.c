/*
 * lab_syscall: drive lab_pagelock.ko from user space, like the founding case's fas_readwriter
 * threads: one "lab_rw" process pinned to CPU 0 writes "hold" to /proc/lab_pagelock (takes the
 * page bit lock and sleeps holding it), then one "lab_rw" per other CPU writes "spin" (spins on it
 * with interrupts off inside the write(2) system call).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void worker(int cpu, const char *cmd)
{
	cpu_set_t set;
	int fd;

	if (fork() != 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("lab_syscall: sched_setaffinity");
	prctl(PR_SET_NAME, "lab_rw");
	fd = open("/proc/lab_pagelock", O_WRONLY);
	if (fd < 0) {
		perror("lab_syscall: open /proc/lab_pagelock");
		_exit(1);
	}
	fprintf(stderr, "lab_syscall: pid %d on cpu %d writes %s\n", getpid(), cpu, cmd);
	if (write(fd, cmd, strlen(cmd)) < 0)
		perror("lab_syscall: write");
	_exit(0);
}

int main(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	worker(0, "hold");
	sleep(1);
	for (int cpu = 1; cpu < ncpu; cpu++)
		worker(cpu, "spin");
	for (;;)
		if (wait(NULL) < 0)
			pause();
	return 0;
}
