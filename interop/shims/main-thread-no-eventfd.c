/*
 * LD_PRELOAD shim for the tests: the process's main thread gets no eventfd (EMFILE), as if the file
 * descriptors ran out at that moment; every other thread gets its eventfd as usual.
 *
 * libdispatch opens an eventfd for the main queue when the main thread leaves it (an async main
 * calls dispatch_main, which exits the main thread), and traps when it cannot: a milter-replay run
 * out of descriptors crashed there when the main thread got to it late. See
 * Tests/InteropTests/MainThreadDescriptorTests.swift.
 *
 *   cc -shared -fPIC -o main-thread-no-eventfd.so main-thread-no-eventfd.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

int eventfd(unsigned int initval, int flags) {
    if (syscall(SYS_gettid) == getpid()) {
        errno = EMFILE;
        return -1;
    }
    int (*next)(unsigned int, int) = (int (*)(unsigned int, int))dlsym(RTLD_NEXT, "eventfd");
    return next(initval, flags);
}
