/*
 * src/util/fs.c
 *
 * File-system helpers; see fs.h.
 */
#include "util/fs.h"

#include "util/alloc.h"
#include "util/error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pmn_fs_read_file(const char *path, char **data, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return pmn_error_set(PMN_ENOTFOUND, "%s: file not found", path);
        return pmn_error_set_errno("cannot open %s", path);
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return pmn_error_set_errno("cannot stat %s", path);
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = pmn_xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            buf = pmn_xrealloc(buf, cap);
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            free(buf);
            close(fd);
            return pmn_error_set_errno("cannot read %s", path);
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *data = buf;
    if (len)
        *len = n;
    return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* write_tmp: write data to a unique temporary file next to path; returns its name. */
static int write_tmp(const char *path, const void *data, size_t len, char **tmp_out)
{
    char *dir = pmn_path_dirname(path);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char *tmp = pmn_xasprintf("%s/.%s.%ld.%d.tmp", dir, base, (long)getpid(), rand());
    free(dir);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        int rc = pmn_error_set_errno("cannot create %s", tmp);
        free(tmp);
        return rc;
    }
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        int rc = pmn_error_set_errno("cannot write %s", tmp);
        close(fd);
        unlink(tmp);
        free(tmp);
        return rc;
    }
    close(fd);
    *tmp_out = tmp;
    return 0;
}

int pmn_fs_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return pmn_error_set_errno("cannot open directory %s", dir);
    int rc = 0;
    if (fsync(fd) != 0 && errno != EINVAL)
        rc = pmn_error_set_errno("cannot fsync directory %s", dir);
    close(fd);
    return rc;
}

static int fsync_parent(const char *path)
{
    char *dir = pmn_path_dirname(path);
    int rc = pmn_fs_fsync_dir(dir);
    free(dir);
    return rc;
}

int pmn_fs_write_file(const char *path, const void *data, size_t len)
{
    char *tmp;
    int rc = write_tmp(path, data, len, &tmp);
    if (rc)
        return rc;
    if (rename(tmp, path) != 0) {
        rc = pmn_error_set_errno("cannot rename %s to %s", tmp, path);
        unlink(tmp);
        free(tmp);
        return rc;
    }
    free(tmp);
    return fsync_parent(path);
}

int pmn_fs_create_file(const char *path, const void *data, size_t len)
{
    char *tmp;
    int rc = write_tmp(path, data, len, &tmp);
    if (rc)
        return rc;
    if (link(tmp, path) != 0) {
        if (errno == EEXIST)
            rc = pmn_error_set(PMN_EEXISTS, "%s already exists", path);
        else
            rc = pmn_error_set_errno("cannot create %s", path);
        unlink(tmp);
        free(tmp);
        return rc;
    }
    unlink(tmp);
    free(tmp);
    return fsync_parent(path);
}

int pmn_fs_mkdir_p(const char *path)
{
    char *p = pmn_xstrdup(path);
    size_t n = strlen(p);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] == '/' || p[i] == '\0') {
            char c = p[i];
            p[i] = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST) {
                int rc = pmn_error_set_errno("cannot create directory %s", p);
                free(p);
                return rc;
            }
            p[i] = c;
        }
    }
    free(p);
    if (!pmn_fs_is_dir(path))
        return pmn_error_set(PMN_EIO, "%s exists and is not a directory", path);
    return 0;
}

int pmn_fs_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int pmn_fs_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int pmn_fs_file_size(const char *path, uint64_t *size)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            return pmn_error_set(PMN_ENOTFOUND, "%s: file not found", path);
        return pmn_error_set_errno("cannot stat %s", path);
    }
    *size = (uint64_t)st.st_size;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int pmn_fs_list(const char *dir, char ***names, size_t *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            return pmn_error_set(PMN_ENOTFOUND, "%s: directory not found", dir);
        return pmn_error_set_errno("cannot list %s", dir);
    }
    char **out = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        PMN_GROW(out, cap, n + 1);
        out[n++] = pmn_xstrdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(out, n, sizeof *out, cmp_names);
    *names = out;
    *count = n;
    return 0;
}

void pmn_fs_list_free(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

int pmn_fs_remove(const char *path)
{
    if (unlink(path) != 0 && errno != ENOENT)
        return pmn_error_set_errno("cannot remove %s", path);
    return 0;
}

int pmn_fs_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : pmn_error_set_errno("cannot stat %s", path);
    if (!S_ISDIR(st.st_mode))
        return pmn_fs_remove(path);
    char **names;
    size_t n;
    int rc = pmn_fs_list(path, &names, &n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *child = pmn_path_join(path, names[i]);
        rc = pmn_fs_remove_tree(child);
        free(child);
    }
    pmn_fs_list_free(names, n);
    if (rc == 0 && rmdir(path) != 0)
        rc = pmn_error_set_errno("cannot remove directory %s", path);
    return rc;
}

char *pmn_path_join(const char *a, const char *b)
{
    size_t la = strlen(a);
    if (la && a[la - 1] == '/')
        return pmn_xasprintf("%s%s", a, b);
    return pmn_xasprintf("%s/%s", a, b);
}

char *pmn_path_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return pmn_xstrdup(".");
    if (slash == path)
        return pmn_xstrdup("/");
    return pmn_xstrndup(path, (size_t)(slash - path));
}

int64_t pmn_fs_numbered_id(const char *name, const char *prefix)
{
    size_t pl = strlen(prefix);
    if (strncmp(name, prefix, pl) != 0 || !name[pl])
        return -1;
    int64_t v = 0;
    for (const char *p = name + pl; *p; p++) {
        if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int pmn_fs_list_numbered(const char *dir, const char *prefix, int64_t **ids, size_t *count)
{
    *ids = NULL;
    *count = 0;
    char **names;
    size_t n;
    int rc = pmn_fs_list(dir, &names, &n);
    if (rc == PMN_ENOTFOUND) {
        pmn_error_clear();
        return 0;
    }
    if (rc)
        return rc;
    int64_t *v = pmn_xmalloc((n ? n : 1) * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t id = pmn_fs_numbered_id(names[i], prefix);
        if (id >= 0)
            v[k++] = id;
    }
    pmn_fs_list_free(names, n);
    qsort(v, k, sizeof *v, cmp_i64);
    *ids = v;
    *count = k;
    return 0;
}
