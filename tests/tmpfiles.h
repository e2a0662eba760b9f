/* tmpfiles.h - test input files in a private temporary folder: write_file / write_text put
 * text in a named file there (made on first use), remove_files deletes them all at the end.
 * SPDX-License-Identifier: MIT */
#ifndef RT_TMPFILES_H
#define RT_TMPFILES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[64];
static char *made[64]; /* files written, removed at the end */
static size_t nmade;

/* The path of 'name' in the temporary folder (made on first use), remembered for removal. */
__attribute__((unused)) static const char *tmp_path(const char *name)
{
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/retain-test-XXXXXX");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(2);
        }
    }
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    for (size_t i = 0; i < nmade; i++)
        if (strcmp(made[i], path) == 0)
            return made[i];
    if (nmade == sizeof made / sizeof made[0]) {
        fprintf(stderr, "too many test files\n");
        exit(2);
    }
    made[nmade] = strdup(path);
    return made[nmade++];
}

__attribute__((unused)) static const char *write_file(const char *name, const char *data,
                                                      size_t len)
{
    const char *path = tmp_path(name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
    return path;
}

__attribute__((unused)) static const char *write_text(const char *name, const char *text)
{
    return write_file(name, text, strlen(text));
}

__attribute__((unused)) static void remove_files(void)
{
    for (size_t i = 0; i < nmade; i++) {
        unlink(made[i]);
        free(made[i]);
    }
    if (tmpdir[0])
        rmdir(tmpdir);
}

#endif
