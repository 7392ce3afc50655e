/*
 * libfault: an LD_PRELOAD shim that makes the libc calls a process uses to
 * persist data fail on purpose, for crash-consistency tests.
 *
 * Build:  gcc -shared -fPIC -O2 -o libfault.so libfault.c -ldl
 * Use:    LD_PRELOAD=/abs/path/libfault.so python child.py
 *         (the child then calls fault_arm/fault_count/fault_disarm, e.g. via
 *          ctypes.CDLL(None); see tests/faults/arm.py)
 *
 * Call classes (the nth-call counter is kept per class):
 *   "write"  : write, pwrite, pwrite64, writev, ftruncate, ftruncate64
 *   "fsync"  : fsync, fdatasync
 *   "rename" : rename, renameat, renameat2 (when glibc declares it)
 *
 * ftruncate64 is included because on x86_64 glibc it is a separate dynamic
 * symbol and it is the one SQLite and CPython actually import (they are
 * built with _FILE_OFFSET_BITS=64); likewise they import pwrite64, not pwrite.
 *
 * The shim is INACTIVE until fault_arm() is called: calls are passed straight
 * through and nothing is counted. Calls on file descriptors 0, 1 and 2 (and
 * on negative descriptors) are never counted nor failed, so a test can still
 * print. rename-class calls take paths, not descriptors, and are always
 * counted while armed.
 *
 * Not intercepted (so not counted or faulted): pwritev/pwritev2, sendfile,
 * copy_file_range, splice, fallocate/posix_fallocate, sync/syncfs, msync,
 * truncate (path based), unlink, and stdio's internal writes from inside
 * libc (fwrite/fflush call libc-internal write, not the PLT symbol).
 *
 * Set LIBFAULT_TRACE=1 in the environment to log every counted call to
 * stderr as "libfault: <class> #<n> <symbol>(fd=<fd>)[ -> FAULT]".
 */
#define _GNU_SOURCE
#undef _FILE_OFFSET_BITS /* we define both the plain and the *64 symbols */

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define FAULT_EXPORT __attribute__((visibility("default")))

enum { FC_WRITE = 0, FC_FSYNC = 1, FC_RENAME = 2, FC_NCLASSES = 3 };

static const char *const class_names[FC_NCLASSES] = {"write", "fsync", "rename"};

struct fault_class {
    long count;    /* calls of this class seen since it was armed */
    long injected; /* calls of this class made to fail since it was armed */
    long nth;      /* 1-based call to fail; <= 0: count only, never fail */
    int err;       /* errno to report */
    int sticky;    /* nonzero: every call from the nth on fails */
};

static struct fault_class classes[FC_NCLASSES];
static int active; /* 0: disarmed (pass-through), 1: counting/failing */
static int trace;  /* LIBFAULT_TRACE set and not "0": log armed calls to stderr */

static void trace_call(int cls, const char *sym, int fd, long n, int failed);

__attribute__((constructor)) static void fault_init(void)
{
    const char *t = getenv("LIBFAULT_TRACE");
    trace = (t != NULL && t[0] != '\0' && strcmp(t, "0") != 0);
}

static int class_index(const char *name)
{
    if (name == NULL)
        return -1;
    for (int i = 0; i < FC_NCLASSES; i++)
        if (strcmp(name, class_names[i]) == 0)
            return i;
    return -1;
}

/*
 * Called on every intercepted call. Returns nonzero (with errno set) when this
 * call must fail. Never touches errno otherwise.
 */
static int should_fail(int cls, const char *sym, int fd)
{
    if (!__atomic_load_n(&active, __ATOMIC_ACQUIRE))
        return 0;
    struct fault_class *c = &classes[cls];
    long n = __atomic_add_fetch(&c->count, 1, __ATOMIC_ACQ_REL);
    long nth = __atomic_load_n(&c->nth, __ATOMIC_ACQUIRE);
    int sticky = __atomic_load_n(&c->sticky, __ATOMIC_RELAXED);
    int failed = nth > 0 && (n == nth || (sticky && n > nth));
    if (trace) {
        int saved = errno;
        trace_call(cls, sym, fd, n, failed);
        errno = saved;
    }
    if (failed) {
        __atomic_add_fetch(&c->injected, 1, __ATOMIC_RELAXED);
        errno = __atomic_load_n(&c->err, __ATOMIC_RELAXED);
    }
    return failed;
}

static int fd_should_fail(int fd, int cls, const char *sym)
{
    if (fd <= 2)
        return 0;
    return should_fail(cls, sym, fd);
}

/* Resolve the next definition of a symbol once; cache it atomically. */
static void *resolve_next(void **slot, const char *name)
{
    void *fn = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (fn == NULL) {
        fn = dlsym(RTLD_NEXT, name);
        __atomic_store_n(slot, fn, __ATOMIC_RELEASE);
    }
    return fn;
}

#define REAL(name)                                                        \
    static void *real_##name##_slot;                                      \
    static __typeof__(&name) real_##name(void)                            \
    {                                                                     \
        return (__typeof__(&name))resolve_next(&real_##name##_slot, #name); \
    }

REAL(write)
REAL(pwrite)
REAL(pwrite64)
REAL(writev)
REAL(ftruncate)
REAL(ftruncate64)
REAL(fsync)
REAL(fdatasync)
REAL(rename)
REAL(renameat)

#ifdef RENAME_NOREPLACE /* glibc >= 2.28 declares renameat2 in <stdio.h> */
#define FAULT_HAVE_RENAMEAT2 1
REAL(renameat2)
#endif

/* If the next definition cannot be found, fail like an absent syscall. */
#define CALL_REAL(name, ...)                                              \
    do {                                                                  \
        __typeof__(&name) fn_ = real_##name();                            \
        if (fn_ == NULL) {                                                \
            errno = ENOSYS;                                               \
            return -1;                                                    \
        }                                                                 \
        return fn_(__VA_ARGS__);                                          \
    } while (0)

static void trace_call(int cls, const char *sym, int fd, long n, int failed)
{
    char buf[160];
    int len = snprintf(buf, sizeof buf, "libfault: %s #%ld %s(fd=%d)%s\n",
                       class_names[cls], n, sym, fd, failed ? " -> FAULT" : "");
    __typeof__(&write) fn = real_write();
    if (len > 0 && fn != NULL) {
        ssize_t ignored = fn(2, buf, (size_t)len < sizeof buf ? (size_t)len : sizeof buf - 1);
        (void)ignored;
    }
}

/* ------------------------------------------------------------ "write" */

FAULT_EXPORT ssize_t write(int fd, const void *buf, size_t count)
{
    if (fd_should_fail(fd, FC_WRITE, "write"))
        return -1;
    CALL_REAL(write, fd, buf, count);
}

FAULT_EXPORT ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
    if (fd_should_fail(fd, FC_WRITE, "pwrite"))
        return -1;
    CALL_REAL(pwrite, fd, buf, count, offset);
}

FAULT_EXPORT ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t offset)
{
    if (fd_should_fail(fd, FC_WRITE, "pwrite64"))
        return -1;
    CALL_REAL(pwrite64, fd, buf, count, offset);
}

FAULT_EXPORT ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
    if (fd_should_fail(fd, FC_WRITE, "writev"))
        return -1;
    CALL_REAL(writev, fd, iov, iovcnt);
}

FAULT_EXPORT int ftruncate(int fd, off_t length)
{
    if (fd_should_fail(fd, FC_WRITE, "ftruncate"))
        return -1;
    CALL_REAL(ftruncate, fd, length);
}

FAULT_EXPORT int ftruncate64(int fd, off64_t length)
{
    if (fd_should_fail(fd, FC_WRITE, "ftruncate64"))
        return -1;
    CALL_REAL(ftruncate64, fd, length);
}

/* ------------------------------------------------------------ "fsync" */

FAULT_EXPORT int fsync(int fd)
{
    if (fd_should_fail(fd, FC_FSYNC, "fsync"))
        return -1;
    CALL_REAL(fsync, fd);
}

FAULT_EXPORT int fdatasync(int fd)
{
    if (fd_should_fail(fd, FC_FSYNC, "fdatasync"))
        return -1;
    CALL_REAL(fdatasync, fd);
}

/* ----------------------------------------------------------- "rename" */

FAULT_EXPORT int rename(const char *oldpath, const char *newpath)
{
    if (should_fail(FC_RENAME, "rename", -1))
        return -1;
    CALL_REAL(rename, oldpath, newpath);
}

FAULT_EXPORT int renameat(int olddirfd, const char *oldpath, int newdirfd,
                          const char *newpath)
{
    if (should_fail(FC_RENAME, "renameat", -1))
        return -1;
    CALL_REAL(renameat, olddirfd, oldpath, newdirfd, newpath);
}

#ifdef FAULT_HAVE_RENAMEAT2
FAULT_EXPORT int renameat2(int olddirfd, const char *oldpath, int newdirfd,
                           const char *newpath, unsigned int flags)
{
    if (should_fail(FC_RENAME, "renameat2", -1))
        return -1;
    CALL_REAL(renameat2, olddirfd, oldpath, newdirfd, newpath, flags);
}
#endif

/* ------------------------------------------------------------ control */

/*
 * Arm one call class. From now on calls of that class are counted (from 1),
 * and the nth one fails with errno = err; if sticky, every later one too.
 * nth <= 0 arms the class in count-only mode (nothing fails; err ignored).
 *
 * Arming from the disarmed state first clears every class, so counts of all
 * classes start at 0. Arming while already armed (re)configures only the
 * named class and restarts its counter; other classes keep going, so e.g.
 * "write" and "fsync" can both be armed to simulate a full disk.
 *
 * Returns 0, or -1 with errno = EINVAL for an unknown class or err <= 0.
 */
FAULT_EXPORT int fault_arm(const char *call_class, long nth, int err, int sticky)
{
    int cls = class_index(call_class);
    if (cls < 0 || (nth > 0 && err <= 0)) {
        errno = EINVAL;
        return -1;
    }
    if (!__atomic_load_n(&active, __ATOMIC_ACQUIRE)) {
        for (int i = 0; i < FC_NCLASSES; i++) {
            __atomic_store_n(&classes[i].nth, 0L, __ATOMIC_RELAXED);
            __atomic_store_n(&classes[i].count, 0L, __ATOMIC_RELAXED);
            __atomic_store_n(&classes[i].injected, 0L, __ATOMIC_RELAXED);
        }
    }
    struct fault_class *c = &classes[cls];
    __atomic_store_n(&c->nth, 0L, __ATOMIC_RELEASE); /* no failing mid-update */
    __atomic_store_n(&c->err, err, __ATOMIC_RELAXED);
    __atomic_store_n(&c->sticky, sticky ? 1 : 0, __ATOMIC_RELAXED);
    __atomic_store_n(&c->count, 0L, __ATOMIC_RELAXED);
    __atomic_store_n(&c->injected, 0L, __ATOMIC_RELAXED);
    __atomic_store_n(&c->nth, nth > 0 ? nth : 0L, __ATOMIC_RELEASE);
    __atomic_store_n(&active, 1, __ATOMIC_RELEASE);
    return 0;
}

/*
 * Calls of the class seen (on fds > 2) since it was armed, including those
 * made to fail. After fault_disarm() the value is frozen until the next
 * arming. Returns -1 for an unknown class.
 */
FAULT_EXPORT long fault_count(const char *call_class)
{
    int cls = class_index(call_class);
    if (cls < 0)
        return -1;
    return __atomic_load_n(&classes[cls].count, __ATOMIC_ACQUIRE);
}

/* Calls of the class that were made to fail since it was armed (-1: unknown class). */
FAULT_EXPORT long fault_injected(const char *call_class)
{
    int cls = class_index(call_class);
    if (cls < 0)
        return -1;
    return __atomic_load_n(&classes[cls].injected, __ATOMIC_ACQUIRE);
}

/* Stop counting and failing. Counts stay readable until the next fault_arm. */
FAULT_EXPORT void fault_disarm(void)
{
    __atomic_store_n(&active, 0, __ATOMIC_RELEASE);
    for (int i = 0; i < FC_NCLASSES; i++)
        __atomic_store_n(&classes[i].nth, 0L, __ATOMIC_RELEASE);
}
