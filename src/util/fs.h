/*
 * src/util/fs.h
 *
 * File-system helpers with error messages that name the path. Durable writes
 * fsync the file and its directory; "create if absent" uses link(2) so that two
 * processes can never both win (Paimon's snapshot commit, paimon-format.md §3.3).
 */
#ifndef PMN_UTIL_FS_H
#define PMN_UTIL_FS_H

#include <stddef.h>
#include <stdint.h>

/* pmn_fs_read_file: whole file into a NUL-terminated heap buffer (caller frees).
 * PMN_ENOTFOUND if absent, PMN_EIO otherwise. */
int pmn_fs_read_file(const char *path, char **data, size_t *len);
/* pmn_fs_write_file: write tmp + fsync + rename over path + fsync dir (overwrites). */
int pmn_fs_write_file(const char *path, const void *data, size_t len);
/* pmn_fs_create_file: write tmp + fsync, then link to path only if absent (PMN_EEXISTS
 * if it exists), fsync dir, remove tmp. Atomic across processes. */
int pmn_fs_create_file(const char *path, const void *data, size_t len);
int pmn_fs_mkdir_p(const char *path);
int pmn_fs_fsync_dir(const char *dir);
/* pmn_fs_exists: 1 if path exists, 0 if not. */
int pmn_fs_exists(const char *path);
int pmn_fs_is_dir(const char *path);
/* pmn_fs_file_size: size in bytes, or PMN_ENOTFOUND / PMN_EIO. */
int pmn_fs_file_size(const char *path, uint64_t *size);
/* pmn_fs_list: names in dir (no . and ..), sorted; caller frees with pmn_fs_list_free. */
int pmn_fs_list(const char *dir, char ***names, size_t *count);
void pmn_fs_list_free(char **names, size_t count);
/* pmn_fs_numbered_id: N if name is "<prefix>N" with N a non-negative decimal that fits an
 * int64, else -1 (Paimon's snapshot-N, schema-N, and the bare number of a LATEST hint). */
int64_t pmn_fs_numbered_id(const char *name, const char *prefix);
/* pmn_fs_list_numbered: the N of every "<prefix>N" file in dir, ascending; caller frees *ids.
 * A missing dir is empty, not an error. */
int pmn_fs_list_numbered(const char *dir, const char *prefix, int64_t **ids, size_t *count);
/* pmn_fs_remove: unlink a file; absent is not an error. */
int pmn_fs_remove(const char *path);
/* pmn_fs_remove_tree: rm -rf. */
int pmn_fs_remove_tree(const char *path);
/* pmn_path_join: "a/b" on the heap (caller frees). */
char *pmn_path_join(const char *a, const char *b);
/* pmn_path_dirname: the parent directory on the heap (caller frees). */
char *pmn_path_dirname(const char *path);

#endif
