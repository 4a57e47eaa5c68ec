/*
 * lab_memhog: allocate and touch anonymous memory.
 *   lab_memhog        touch 8 MiB chunks forever (until the OOM killer / panic_on_oom fires)
 *   lab_memhog MIB    touch MIB MiB, print "holding", then sleep forever (fills a big guest so
 *                     its unfiltered dump holds real, non-zero pages)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void fill(unsigned char *p, size_t len, size_t seed)
{
	/* every page different and never all-zero, so -d 1 keeps it and compression has work */
	for (size_t off = 0; off < len; off += 4096) {
		size_t page = (seed + off) >> 12;
		memset(p + off, 0x5a, 4096);
		memcpy(p + off, &page, sizeof(page));
	}
}

int main(int argc, char **argv)
{
	size_t chunk = 8UL << 20, total = 0;
	size_t limit = argc > 1 ? strtoull(argv[1], NULL, 0) << 20 : 0;

	while (!limit || total < limit) {
		unsigned char *p = malloc(chunk);
		if (!p) {
			fprintf(stderr, "lab_memhog: malloc failed at %zu MiB\n", total >> 20);
			sleep(1);
			continue;
		}
		fill(p, chunk, total);
		total += chunk;
		if ((total >> 20) % 512 == 0 || (!limit && (total >> 20) % 64 == 0))
			fprintf(stderr, "lab_memhog: %zu MiB touched\n", total >> 20);
	}
	fprintf(stderr, "lab_memhog: holding %zu MiB\n", total >> 20);
	for (;;)
		pause();
	return 0;
}
