/*
 * update.c - embedding librampart: refresh trusted metadata and download one
 * verified target, as an application's updater would.
 *
 *   update METADATA_DIR METADATA_URL TARGETS_URL TARGET_NAME OUT_DIR [CA_FILE]
 *
 * The metadata folder must already hold the trusted root (ship it with the
 * application and install it once with rampart_client_bootstrap, or run
 * `rampart client --metadata-dir DIR init root.json`).
 *
 * Build against an installed librampart:
 *   cc -o update update.c $(pkg-config --cflags --libs rampart)
 * or with CMake (find_package(rampart), see CMakeLists.txt here):
 *   cmake -S . -B build -DCMAKE_PREFIX_PATH=PREFIX && cmake --build build
 */
#include <stdio.h>
#include <stdlib.h>

#include <rampart/rampart.h>

static void log_line(void *ctx, int level, const char *msg)
{
    (void)ctx;
    if (level >= RAMPART_LOG_INFO)
        fprintf(stderr, "update: %s\n", msg);
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: %s METADATA_DIR METADATA_URL TARGETS_URL TARGET_NAME OUT_DIR [CA_FILE]\n", argv[0]);
        return 2;
    }
    const char *metadata_urls[] = {argv[2]};
    const char *target_urls[] = {argv[3]};

    rampart_client_options opts = RAMPART_CLIENT_OPTIONS_INIT;
    opts.metadata_dir = argv[1];
    opts.metadata_urls = metadata_urls;
    opts.metadata_url_count = 1;
    opts.target_urls = target_urls;
    opts.target_url_count = 1;
    opts.ca_file = argc > 6 ? argv[6] : NULL; /* NULL: the system CA store */
    opts.log = log_line;

    rampart_client *client = NULL;
    rampart_error err;
    int rc = rampart_client_new(&client, &opts, &err);
    if (rc != 0) {
        fprintf(stderr, "update: %s [%s]\n", err.message, rampart_error_name(rc));
        return 1;
    }

    /* Refreshes the metadata (TUF §5), then finds the target in the
     * delegation graph.  Every failure has a precise code: branch on it. */
    rampart_target *target = NULL;
    rc = rampart_client_get_target_info(client, argv[4], &target);
    if (rc == 0) {
        char *path = NULL;
        rc = rampart_client_download_target(client, target, argv[5], &path);
        if (rc == 0) {
            printf("verified %s (%llu bytes) -> %s\n", rampart_target_path(target),
                   (unsigned long long)rampart_target_length(target), path);
            rampart_string_free(path);
        }
    }
    if (rc != 0) {
        const rampart_error *e = rampart_client_last_error(client);
        fprintf(stderr, "update: %s [%s]\n", e->message, rampart_error_name(rc));
        if (rc == RAMPART_EBADSIG || rc == RAMPART_EROLLBACK || rc == RAMPART_EEXPIRED || rc == RAMPART_EMISMATCH)
            fprintf(stderr, "update: refusing an update that did not verify: possible attack\n");
    }
    rampart_target_free(target);
    rampart_client_free(client);
    return rc == 0 ? 0 : 1;
}
