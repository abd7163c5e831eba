/* test_install.c - the installer's pure rules: SemVer 2.0.0 checks and precedence, and the
 * archive entry checks (docs/security-matrix.md S72, S73).  The I/O is tested through the CLI
 * in tests/cli/test_install.sh. */
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "install/install_internal.h"
#include "rampart/install.h"
#include "util/banned.h"

static int check_v(const char *s)
{
    return rinst_semver_check(s, strlen(s), NULL);
}

static void test_semver_check(void)
{
    static const char *const good[] = {"0.0.0",
                                       "1.2.3",
                                       "10.20.30",
                                       "1.0.0-alpha",
                                       "1.0.0-alpha.1",
                                       "1.0.0-0.3.7",
                                       "1.0.0-x.7.z.92",
                                       "1.0.0+20130313144700",
                                       "1.0.0-beta+exp.sha.5114f85",
                                       "1.0.0-x-y-z.--",
                                       "1.0.0+0.build.1-rc.10000aaa"};
    static const char *const bad[] = {"",
                                      "1",
                                      "1.2",
                                      "1.2.3.4",
                                      "01.2.3",
                                      "1.02.3",
                                      "1.2.03",
                                      "1.2.3-",
                                      "1.2.3+",
                                      "1.2.3-01",
                                      "1.2.3-a..b",
                                      "1.2.3-a_b",
                                      "v1.2.3",
                                      "1.2.3 ",
                                      "-1.2.3",
                                      "1.2.3/../x",
                                      "1234567890123456789.0.0",
                                      "1.2.3+a/b"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (check_v(good[i]) != 0)
            TH_FAIL("'%s' refused", good[i]);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (check_v(bad[i]) != RAMPART_EFORMAT)
            TH_FAIL("'%s' accepted", bad[i]);
    char nul[] = "1.0.0\0x";
    CHECK_RC(rinst_semver_check(nul, sizeof(nul) - 1, NULL), RAMPART_EFORMAT);
}

/* SemVer 2.0.0 §11's own example, in increasing order, and more. */
static void test_semver_order(void)
{
    static const char *const order[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                                        "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
                                        "1.0.0-rc.1",  "1.0.0",         "1.0.1",
                                        "1.1.0",       "1.10.0",        "2.0.0-0",
                                        "2.0.0-1",     "2.0.0-a",       "2.0.0",
                                        "10.0.0"};
    size_t n = sizeof(order) / sizeof(order[0]);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int c = rinst_semver_cmp(order[i], order[j]);
            int want = i < j ? -1 : i > j;
            if ((c < 0 ? -1 : c > 0) != want)
                TH_FAIL("cmp(%s, %s) = %d", order[i], order[j], c);
        }
    CHECK_INT(rinst_semver_cmp("1.0.0+a", "1.0.0+b"), 0);
    int r = 7;
    CHECK_OK(rampart_version_compare("1.2.3", "1.10.0", &r));
    CHECK(r < 0);
    CHECK_RC(rampart_version_compare("1.2", "1.2.0", &r), RAMPART_EFORMAT);
    CHECK_RC(rampart_version_compare(NULL, "1.2.0", &r), RAMPART_EINVAL);
}

static int entry(rinst_kind kind, const char *name, const char *link, uint32_t mode, char *out, rinst_tally *t, rerr *e)
{
    rinst_limits lim = {.max_total_bytes = 100, .max_entries = 4, .allow_setuid = false};
    rinst_entry en = {.name = name, .kind = kind, .mode = mode, .link = link, .size = kind == RINST_FILE ? 10 : 0};
    static char link_out[RINST_NAME_MAX];
    bool skip = false;
    return rinst_entry_check(&en, &lim, t, out, link_out, &skip, e);
}

static void test_entries(void)
{
    char out[RINST_NAME_MAX];
    rinst_tally t = {0};
    rerr e = {0};
    CHECK_OK(entry(RINST_FILE, "./bin/app", NULL, 0755, out, &t, &e));
    CHECK_STR(out, "bin/app");
    CHECK_OK(entry(RINST_DIR, "share/doc/", NULL, 0755, out, &t, &e));
    CHECK_STR(out, "share/doc");
    CHECK_OK(entry(RINST_SYMLINK, "share/doc/l", "../../bin/app", 0777, out, &t, &e));
    CHECK_OK(entry(RINST_SYMLINK, "a/b", "..", 0777, out, &t, &e));
    CHECK_INT(t.entries, 4);
    CHECK_INT(t.bytes, 10);
    CHECK_RC(entry(RINST_FILE, "x", NULL, 0644, out, &t, &e), RAMPART_ETOOLARGE);
    CHECK_STR(e.message, "archive has more than 4 entries");

    static const struct {
        rinst_kind kind;
        const char *name, *link;
        uint32_t mode;
        int code;
        const char *msg;
    } refused[] = {
        {RINST_FILE, "/etc/passwd", NULL, 0644, RAMPART_EPATH, "archive name '/etc/passwd' is absolute"},
        {RINST_FILE, "a/../../b", NULL, 0644, RAMPART_EPATH, NULL},
        {RINST_FILE, "..", NULL, 0644, RAMPART_EPATH, NULL},
        {RINST_FILE, "a//b", NULL, 0644, RAMPART_EPATH, NULL},
        {RINST_FILE, "a\\b", NULL, 0644, RAMPART_EPATH, NULL},
        {RINST_FILE, "./", NULL, 0644, RAMPART_EPATH, "archive entry './' replaces the install folder"},
        {RINST_SYMLINK, "l", "/tmp", 0777, RAMPART_EPATH, "symlink 'l' points to absolute path '/tmp'"},
        {RINST_SYMLINK, "a/l", "../..", 0777, RAMPART_EPATH,
         "symlink 'a/l' points to '../..', outside the install folder"},
        {RINST_SYMLINK, "m", "a/b/../..", 0777, RAMPART_EPATH, "symlink 'm' target 'a/b/../..' has '..' after a name"},
        {RINST_SYMLINK, "m", "./x", 0777, RAMPART_EPATH, NULL},
        {RINST_SYMLINK, "m", "", 0777, RAMPART_EPATH, NULL},
        {RINST_HARDLINK, "h", "../etc/passwd", 0644, RAMPART_EPATH, NULL},
        {RINST_HARDLINK, "h", "/etc/passwd", 0644, RAMPART_EPATH, NULL},
        {RINST_HARDLINK, "h", NULL, 0644, RAMPART_EPATH, NULL},
        {RINST_SPECIAL, "dev/null", NULL, 0644, RAMPART_EARCHIVE,
         "archive entry 'dev/null' is a device, FIFO or socket"},
        {RINST_FILE, "su", NULL, 04755, RAMPART_EARCHIVE, "archive entry 'su' is set-uid or set-gid (mode 4755)"},
        {RINST_DIR, "g", NULL, 02755, RAMPART_EARCHIVE, NULL},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        rinst_tally t2 = {0};
        rerr e2 = {0};
        int rc = entry(refused[i].kind, refused[i].name, refused[i].link, refused[i].mode, out, &t2, &e2);
        if (rc != refused[i].code)
            TH_FAIL("entry %zu '%s': %d, expected %d", i, refused[i].name, rc, refused[i].code);
        if (refused[i].msg != NULL)
            CHECK_STR(e2.message, refused[i].msg);
        CHECK_INT(t2.entries, 0);
    }
    rinst_tally t3 = {.entries = 0, .bytes = 95};
    CHECK_RC(entry(RINST_FILE, "big", NULL, 0644, out, &t3, &e), RAMPART_ETOOLARGE);
    CHECK_STR(e.message, "archive extracts more than 100 bytes (at 'big')");
}

int main(void)
{
    RUN(test_semver_check);
    RUN(test_semver_order);
    RUN(test_entries);
    return th_summary("test_install");
}
