/*
 * tests/spoof/spoof.c: the attacker's helper for tests/spoof.rs, compiled
 * there with `gcc -static` and copied into the test image as /spoof.
 * Busybox has no tool for either step (its unshare maps only to root, its
 * setpriv has no uid or bounding-set options).
 *
 *   spoof userns -- CMD ARGS...
 *       A user namespace in which uid/gid 1000 is this process's uid/gid 0
 *       (uid_map and gid_map "1000 0 1", the one line an unprivileged process
 *       may write for itself, as `unshare --map-user=1000` or bubblewrap's
 *       --uid 1000 write it); the bounding set emptied, no_new_privs set; then
 *       CMD is executed as uid 1000 there, keeping this pid. The process still
 *       is uid 0 one level up.
 *
 *   spoof confined [--userns] -- CMD ARGS...
 *       A process that looks hardened: with --userns first a user namespace
 *       mapping 0..65535 to 100000..165535 (written by a forked helper, which
 *       needs CAP_SETUID/CAP_SETGID where it runs); then the bounding set
 *       emptied, no supplementary groups, uid and gid 1000, no capabilities,
 *       no_new_privs; then CMD, keeping this pid. Its /proc/<pid> files are
 *       what a spoofing wrapper binds over its own.
 *
 *   spoof drop -- CMD ARGS...
 *       Keeps the uid (0 in a root container) but empties the bounding set
 *       and sets no_new_privs, so that CMD starts with no capabilities: a
 *       wrapper that forged files under /proc with CAP_SYS_ADMIN hands over
 *       a process whose real capabilities match the forgery.
 *
 * Every failure prints the step and exits 111, so that a test can tell an
 * attack that did not take effect from one that was not detected.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what) {
    fprintf(stderr, "spoof: %s: %s\n", what, strerror(errno));
    exit(111);
}

static void write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        die(path);
    size_t n = strlen(text);
    if (write(fd, text, n) != (ssize_t)n)
        die(path);
    if (close(fd) != 0)
        die(path);
}

static void drop_bounding_set(void) {
    for (int cap = 0; cap < 64; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
            die("PR_CAPBSET_DROP");
    }
}

static void no_new_privs(void) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        die("PR_SET_NO_NEW_PRIVS");
}

/* Becomes uid/gid 1000 with no groups; leaving uid 0 clears the permitted,
 * effective and ambient sets (no SECBIT_KEEP_CAPS). */
static void become_1000(void) {
    if (setgroups(0, NULL) != 0)
        die("setgroups");
    if (setresgid(1000, 1000, 1000) != 0)
        die("setresgid");
    if (setresuid(1000, 1000, 1000) != 0)
        die("setresuid");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
        die("PR_CAP_AMBIENT_CLEAR_ALL");
}

static void run(char **cmd) {
    execvp(cmd[0], cmd);
    die(cmd[0]);
}

/* unshare(CLONE_NEWUSER), then a forked child (still in the parent
 * namespace, with its capabilities there) writes our maps. */
static void userns_mapped_by_child(const char *map) {
    int go[2];
    if (pipe(go) != 0)
        die("pipe");
    pid_t self = getpid();
    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        char c, path[64];
        if (read(go[0], &c, 1) != 1)
            _exit(111);
        snprintf(path, sizeof path, "/proc/%d/uid_map", (int)self);
        write_file(path, map);
        snprintf(path, sizeof path, "/proc/%d/gid_map", (int)self);
        write_file(path, map);
        _exit(0);
    }
    if (unshare(CLONE_NEWUSER) != 0)
        die("unshare(CLONE_NEWUSER)");
    if (write(go[1], "x", 1) != 1)
        die("pipe write");
    int st;
    if (waitpid(child, &st, 0) != child)
        die("waitpid");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "spoof: the map writer failed (status %d)\n", st);
        exit(111);
    }
    close(go[0]);
    close(go[1]);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: spoof userns|drop -- CMD... | spoof confined [--userns] -- CMD...\n");
        return 2;
    }
    int i = 2, with_userns = 0;
    if (strcmp(argv[1], "confined") == 0 && strcmp(argv[i], "--userns") == 0) {
        with_userns = 1;
        i++;
    }
    if (i >= argc || strcmp(argv[i], "--") != 0 || i + 1 >= argc) {
        fprintf(stderr, "spoof: expected -- CMD\n");
        return 2;
    }
    char **cmd = &argv[i + 1];
    if (strcmp(argv[1], "userns") == 0) {
        if (unshare(CLONE_NEWUSER) != 0)
            die("unshare(CLONE_NEWUSER)");
        write_file("/proc/self/setgroups", "deny");
        write_file("/proc/self/uid_map", "1000 0 1\n");
        write_file("/proc/self/gid_map", "1000 0 1\n");
        /* Full capabilities in the new namespace until the exec: empty the
         * bounding set there, as bubblewrap does for a non-root --uid. */
        drop_bounding_set();
        no_new_privs();
        run(cmd);
    } else if (strcmp(argv[1], "drop") == 0) {
        drop_bounding_set();
        no_new_privs();
        run(cmd);
    } else if (strcmp(argv[1], "confined") == 0) {
        if (with_userns)
            userns_mapped_by_child("0 100000 65536\n");
        drop_bounding_set();
        become_1000();
        no_new_privs();
        run(cmd);
    }
    fprintf(stderr, "spoof: unknown mode %s\n", argv[1]);
    return 2;
}
