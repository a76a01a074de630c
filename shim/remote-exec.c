// remote-exec's native step client. A build runs remote-exec once per step, so a step's cost starts
// with the client's own start-up: node needs ~100 ms of CPU before running a line, which 200 steps
// under `make -j16` pay 200 times on 2 cores. This client starts in ~1 ms and only relays: it finds
// the project's agent (the same socket the node client would), hands it the step's command line,
// folder and environment (src/api/agent-protocol.ts, StepMessage), writes the output frames as they
// come, forwards Ctrl-C, SIGTERM and SIGHUP as a cancel, and exits with the step's status. The agent
// parses and checks the step with the same code as the node client, and answers `fallback` when it
// is not the agent this step belongs to.
//
// Everything else runs the node client instead (execv, same pid, same arguments), which behaves as
// if this client did not exist: subcommands, help, no agent yet (the node client starts it), an
// agent of another version, a path this client does not handle. So this file only decides whether
// to relay; it is never the judge of what a step means. In local mode the node client runs as this
// client's child and judges and finishes the step, and this client only runs the command it is
// handed, which spares node's costly fork (src/api/local-command.ts).
//
// Built by `npm run build` (src/exec/write-step-client.ts), which passes the protocol's constants
// and the node client's paths as -D definitions.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if !defined(PROTOCOL_VERSION) || !defined(CLIENT_ERROR_STATUS) || !defined(NODE_PATH) || \
    !defined(LOCAL_COMMAND_VARIABLE)
#error "built by src/exec/write-step-client.ts, which defines the protocol and the node it ran on"
#endif

extern char **environ;

/** How long an agent may take to answer hello before the node client deals with it. */
#define HANDSHAKE_MS 5000
/** How long a cancelled step may take to stop before this client leaves anyway (as the node one). */
#define CANCEL_WAIT_MS 5000
#define STATE_DIR ".scons-remote"

static const char *program_path;
static int step_argc;
static char **step_argv;
static volatile sig_atomic_t received_signal;

/** The node client's entry, beside this program (wherever the package was installed). */
static char *node_entry(void) {
  char *self = realpath("/proc/self/exe", NULL);
  if (self == NULL) self = realpath(program_path, NULL);
  char *slash = self ? strrchr(self, '/') : NULL;
  if (slash == NULL) {
    fprintf(stderr, "remote-exec: error: cannot find the folder of %s\n", program_path);
    _exit(CLIENT_ERROR_STATUS);
  }
  size_t folder = (size_t)(slash - self) + 1;
  char *entry = malloc(folder + sizeof "remote-exec.cjs");
  if (entry == NULL) _exit(CLIENT_ERROR_STATUS);
  memcpy(entry, self, folder);
  strcpy(entry + folder, "remote-exec.cjs");
  return entry;
}

/** Runs the node client with this process's arguments: it does whatever this one does not. */
static void run_node_client(void) {
  // Cancelled before anything ran: the step ends as the shell would have it.
  if (received_signal) _exit(128 + received_signal);
  // Ignored signals stay ignored across exec, and the node client's commands must not inherit it.
  signal(SIGPIPE, SIG_DFL);
  char **args = calloc((size_t)step_argc + 3, sizeof *args);
  if (args == NULL) _exit(CLIENT_ERROR_STATUS);
  args[0] = NODE_PATH;
  args[1] = node_entry();
  for (int i = 0; i < step_argc; i++) args[i + 2] = step_argv[i];
  execv(NODE_PATH, args);
  // The node that built this client is gone (another node now): whichever node is on PATH.
  args[0] = "node";
  execvp("node", args);
  fprintf(stderr, "remote-exec: error: cannot run node (%s): %s\n", NODE_PATH, strerror(errno));
  _exit(CLIENT_ERROR_STATUS);
}

// A growing byte buffer.
struct buffer {
  char *data;
  size_t length, capacity;
};

static void append(struct buffer *b, const void *bytes, size_t count) {
  if (b->length + count + 1 > b->capacity) {
    size_t capacity = b->capacity ? b->capacity : 256;
    while (b->length + count + 1 > capacity) capacity *= 2;
    char *data = realloc(b->data, capacity);
    if (data == NULL) run_node_client();
    b->data = data;
    b->capacity = capacity;
  }
  memcpy(b->data + b->length, bytes, count);
  b->length += count;
  b->data[b->length] = '\0';
}

static void append_text(struct buffer *b, const char *text) { append(b, text, strlen(text)); }

/** Whether `text` is UTF-8 as node reads it; anything else would reach the agent changed. */
static int is_utf8(const unsigned char *text) {
  while (*text) {
    unsigned char c = *text;
    int more = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : -1;
    if (more < 0 || (more == 1 && c < 0xc2)) return 0;
    uint32_t point = more ? c & (0x3f >> more) : c;
    text++;
    for (int i = 0; i < more; i++, text++) {
      if ((*text & 0xc0) != 0x80) return 0;
      point = point << 6 | (*text & 0x3f);
    }
    if ((more == 2 && (point < 0x800 || (point >= 0xd800 && point < 0xe000))) ||
        (more == 3 && (point < 0x10000 || point > 0x10ffff)))
      return 0;
  }
  return 1;
}

/** `text` as JSON.stringify writes a string (UTF-8 passes through); not UTF-8: the node client. */
static void append_json_string(struct buffer *b, const char *text) {
  if (!is_utf8((const unsigned char *)text)) run_node_client();
  append_text(b, "\"");
  for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
    char escaped[8];
    const char *named = *c == '"' ? "\\\"" : *c == '\\' ? "\\\\" : *c == '\b' ? "\\b" : *c == '\f' ? "\\f"
                      : *c == '\n' ? "\\n" : *c == '\r' ? "\\r" : *c == '\t' ? "\\t" : NULL;
    if (named) append_text(b, named);
    else if (*c < 0x20) {
      snprintf(escaped, sizeof escaped, "\\u%04x", *c);
      append_text(b, escaped);
    } else append(b, c, 1);
  }
  append_text(b, "\"");
}

// SHA-256 (FIPS 180-4), for the agent's key: the socket is named by a digest of the environment
// (src/exec/agent/agent-key.ts). A key that came out different would only mean the node client.
struct sha256 {
  uint32_t state[8], constants[64];
  unsigned char block[64];
  size_t used;
  uint64_t bits;
};

static uint32_t fraction32(double x) { return (uint32_t)((x - floor(x)) * 4294967296.0); }
static uint32_t rotr(uint32_t x, int n) { return x >> n | x << (32 - n); }

static void sha256_init(struct sha256 *h) {
  // The standard's constants: fractions of the square and cube roots of the first primes.
  int found = 0;
  for (int n = 2; found < 64; n++) {
    int prime = 1;
    for (int d = 2; d * d <= n; d++) prime &= n % d != 0;
    if (!prime) continue;
    if (found < 8) h->state[found] = fraction32(sqrt(n));
    h->constants[found++] = fraction32(cbrt(n));
  }
  h->used = 0;
  h->bits = 0;
}

static void sha256_block(struct sha256 *h) {
  uint32_t w[64], v[8];
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)h->block[4 * i] << 24 | (uint32_t)h->block[4 * i + 1] << 16 |
           (uint32_t)h->block[4 * i + 2] << 8 | h->block[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ w[i - 15] >> 3;
    uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ w[i - 2] >> 10;
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  memcpy(v, h->state, sizeof v);
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = v[7] + (rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25)) +
                  ((v[4] & v[5]) ^ (~v[4] & v[6])) + h->constants[i] + w[i];
    uint32_t t2 = (rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22)) +
                  ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
    memmove(v + 1, v, 7 * sizeof *v);
    v[4] += t1;
    v[0] = t1 + t2;
  }
  for (int i = 0; i < 8; i++) h->state[i] += v[i];
}

static void sha256_update(struct sha256 *h, const unsigned char *bytes, size_t count) {
  for (size_t i = 0; i < count; i++) {
    h->block[h->used++] = bytes[i];
    h->bits += 8;
    if (h->used == 64) {
      sha256_block(h);
      h->used = 0;
    }
  }
}

static void sha256_hex(struct sha256 *h, char hex[65]) {
  uint64_t bits = h->bits;
  unsigned char pad = 0x80, zero = 0, length[8];
  sha256_update(h, &pad, 1);
  while (h->used != 56) sha256_update(h, &zero, 1);
  for (int i = 0; i < 8; i++) length[i] = (unsigned char)(bits >> (56 - 8 * i));
  sha256_update(h, length, 8);
  for (int i = 0; i < 32; i++) sprintf(hex + 2 * i, "%02x", h->state[i / 4] >> (24 - 8 * (i % 4)) & 0xff);
}

/** The variables the agent provisions with (agent-key.ts's PROVISIONING_ENVIRONMENT). */
static int is_provisioning_variable(const char *entry) {
  static const char *const names[] = {"HOME", "SSH_AUTH_SOCK", "SCONS_REMOTE_LOCK_WAIT_MINUTES",
                                      "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"};
  size_t length = strcspn(entry, "=");
  if (length >= 4 && strncasecmp(entry, "AWS_", 4) == 0) return 1;
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (strlen(names[i]) == length && strncasecmp(entry, names[i], length) == 0) return 1;
  return 0;
}

static int by_name(const void *a, const void *b) {
  const char *x = *(const char *const *)a, *y = *(const char *const *)b;
  size_t nx = strcspn(x, "="), ny = strcspn(y, "=");
  int order = memcmp(x, y, nx < ny ? nx : ny);
  return order ? order : (nx > ny) - (nx < ny);
}

static void append_json_name(struct buffer *b, const char *entry) {
  size_t length = strcspn(entry, "=");
  char *name = strndup(entry, length);
  if (name == NULL) run_node_client();
  append_json_string(b, name);
  free(name);
}

/** The first 16 hex digits of SHA-256 over JSON of the sorted [name, value] pairs, as agentKey. */
static void agent_key(char key[17]) {
  size_t count = 0, total = 0;
  while (environ[total]) total++;
  const char **chosen = calloc(total + 1, sizeof *chosen);
  if (chosen == NULL) run_node_client();
  for (size_t i = 0; i < total; i++)
    if (strchr(environ[i], '=') && is_provisioning_variable(environ[i])) chosen[count++] = environ[i];
  qsort(chosen, count, sizeof *chosen, by_name);
  struct buffer json = {0};
  append_text(&json, "[");
  for (size_t i = 0; i < count; i++) {
    append_text(&json, i ? ",[" : "[");
    append_json_name(&json, chosen[i]);
    append_text(&json, ",");
    append_json_string(&json, strchr(chosen[i], '=') + 1);
    append_text(&json, "]");
  }
  append_text(&json, "]");
  struct sha256 h;
  char hex[65];
  sha256_init(&h);
  sha256_update(&h, (const unsigned char *)json.data, json.length);
  sha256_hex(&h, hex);
  memcpy(key, hex, 16);
  key[16] = '\0';
  free(json.data);
  free(chosen);
}

/** `path` made absolute against `cwd` and normalized, as node's path.resolve does. */
static char *resolve_path(const char *cwd, const char *path) {
  struct buffer joined = {0}, out = {0};
  if (path[0] != '/') {
    append_text(&joined, cwd);
    append_text(&joined, "/");
  }
  append_text(&joined, path);
  for (char *part = strtok(joined.data, "/"); part; part = strtok(NULL, "/")) {
    if (strcmp(part, ".") == 0) continue;
    if (strcmp(part, "..") == 0) {
      char *slash = out.length ? strrchr(out.data, '/') : NULL;
      out.length = slash ? (size_t)(slash - out.data) : 0;
      if (out.data) out.data[out.length] = '\0';
      continue;
    }
    append_text(&out, "/");
    append_text(&out, part);
  }
  free(joined.data);
  if (out.length == 0) append_text(&out, "/");
  return out.data;
}

static char *join_path(const char *dir, const char *name) {
  struct buffer b = {0};
  append_text(&b, dir);
  if (strcmp(dir, "/") != 0) append_text(&b, "/");
  append_text(&b, name);
  return b.data;
}

/** The nearest folder with profiles, from `cwd` up, as defaultStateDir in local-state.ts. */
static char *default_state_dir(const char *cwd) {
  char *dir = strdup(cwd);
  if (dir == NULL) run_node_client();
  for (;;) {
    char *state = join_path(dir, STATE_DIR), *profiles = join_path(state, "profiles");
    struct stat info;
    int found = stat(profiles, &info) == 0;
    free(profiles);
    if (found) {
      free(dir);
      return state;
    }
    free(state);
    if (strcmp(dir, "/") == 0) break;
    char *slash = strrchr(dir, '/');
    slash == dir ? (void)(dir[1] = '\0') : (void)(*slash = '\0');
  }
  free(dir);
  return join_path(cwd, STATE_DIR);
}

/**
 * The state folder of a step's arguments (stateDirOf in local-state.ts). Only the plain form is
 * read (`--flag value` or `--flag=value`, then `--` and the command); anything else, or no `--`,
 * is the node client's.
 */
static char *state_dir(const char *cwd) {
  const char *state = NULL, *config = NULL;
  int dash = -1;
  for (int i = 0; i < step_argc && dash < 0; i++) {
    const char *word = step_argv[i];
    if (strcmp(word, "--") == 0) dash = i;
    else if (strncmp(word, "--state-dir=", 12) == 0) state = word + 12;
    else if (strncmp(word, "--config=", 9) == 0) config = word + 9;
    else if (strcmp(word, "--state-dir") == 0 && i + 1 < step_argc) state = step_argv[++i];
    else if (strcmp(word, "--config") == 0 && i + 1 < step_argc) config = step_argv[++i];
    else if (word[0] == '-' && strcmp(word, "-v") != 0 && strncmp(word, "--", 2) != 0) run_node_client();
  }
  if (dash < 0 || dash == step_argc - 1) run_node_client();
  if (state) return resolve_path(cwd, state);
  if (config) {
    char *path = resolve_path(cwd, config), *slash = strrchr(path, '/');
    slash == path ? (void)(path[1] = '\0') : (void)(*slash = '\0');
    char *dir = join_path(path, STATE_DIR);
    free(path);
    return dir;
  }
  return default_state_dir(cwd);
}

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int agent_socket = -1;
/** The frames read and not yet handled. */
static struct buffer incoming;

/** Sends one frame: the 4-byte length (kind byte included), the kind, the payload. */
static int send_frame(int kind, const struct buffer *payload) {
  uint32_t length = (uint32_t)payload->length + 1;
  unsigned char header[5] = {length >> 24, length >> 16 & 0xff, length >> 8 & 0xff, length & 0xff,
                             (unsigned char)kind};
  struct buffer frame = {0};
  append(&frame, header, sizeof header);
  append(&frame, payload->data, payload->length);
  size_t sent = 0;
  while (sent < frame.length) {
    ssize_t n = send(agent_socket, frame.data + sent, frame.length - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    sent += (size_t)n;
  }
  free(frame.data);
  return sent == frame.length ? 0 : -1;
}

static int send_message(const char *json) {
  struct buffer payload = {0};
  append_text(&payload, json);
  int result = send_frame(FRAME_MESSAGE, &payload);
  free(payload.data);
  return result;
}

/** Reads what the socket has into `incoming`: 1 read, 0 closed, -1 error. */
static int receive(void) {
  char chunk[65536];
  ssize_t n;
  do n = read(agent_socket, chunk, sizeof chunk);
  while (n < 0 && errno == EINTR);
  if (n > 0) append(&incoming, chunk, (size_t)n);
  return n > 0 ? 1 : n == 0 ? 0 : -1;
}

/** The next whole frame in `incoming`, removed from it; 0 when none is whole yet. */
static int next_frame(int *kind, struct buffer *payload) {
  if (incoming.length < 5) return 0;
  const unsigned char *h = (const unsigned char *)incoming.data;
  size_t length = (size_t)h[0] << 24 | (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
  if (length == 0 || incoming.length < 4 + length) return 0;
  *kind = h[4];
  payload->length = 0;
  append(payload, incoming.data + 5, length - 1);
  memmove(incoming.data, incoming.data + 4 + length, incoming.length - 4 - length);
  incoming.length -= 4 + length;
  return 1;
}

// The agent's messages are JSON objects it writes with `type` first and no nested strings before
// the fields read here (agent-protocol.ts): reading those fields needs no JSON parser.
static int is_message(const struct buffer *m, const char *type) {
  char prefix[64];
  snprintf(prefix, sizeof prefix, "{\"type\":\"%s\"", type);
  return strncmp(m->data, prefix, strlen(prefix)) == 0;
}

static long number_field(const struct buffer *m, const char *name) {
  char key[64];
  snprintf(key, sizeof key, "\"%s\":", name);
  const char *at = strstr(m->data, key);
  return at ? strtol(at + strlen(key), NULL, 10) : -1;
}

static void write_all(int fd, const char *bytes, size_t count) {
  while (count > 0) {
    ssize_t n = write(fd, bytes, count);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a reader gone takes nothing, as for the node client
    bytes += n;
    count -= (size_t)n;
  }
}

/** The agent's hello within HANDSHAKE_MS, of this protocol version: its pid; else the node client. */
static long handshake(void) {
  char hello[64];
  snprintf(hello, sizeof hello, "{\"type\":\"hello\",\"version\":%d}", PROTOCOL_VERSION);
  if (send_message(hello) < 0) run_node_client();
  long long deadline = now_ms() + HANDSHAKE_MS;
  struct buffer payload = {0};
  int kind;
  while (!next_frame(&kind, &payload)) {
    struct pollfd wait = {agent_socket, POLLIN, 0};
    long long left = deadline - now_ms();
    if (left <= 0 || poll(&wait, 1, (int)left) <= 0 || receive() <= 0) run_node_client();
  }
  if (kind != FRAME_MESSAGE || !is_message(&payload, "hello") ||
      number_field(&payload, "version") != PROTOCOL_VERSION)
    run_node_client();
  long pid = number_field(&payload, "pid");
  free(payload.data);
  return pid;
}

static void connect_agent(const char *cwd, const char *socket_path) {
  // A unix socket's path holds ~100 bytes: the path under the step's folder is shorter.
  size_t cwd_length = strlen(cwd);
  const char *path = socket_path;
  if (strncmp(socket_path, cwd, cwd_length) == 0 && socket_path[cwd_length] == '/')
    path = socket_path + cwd_length + 1;
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof address.sun_path) run_node_client();
  strcpy(address.sun_path, path);
  agent_socket = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (agent_socket < 0) run_node_client();
  int result;
  do result = connect(agent_socket, (struct sockaddr *)&address, sizeof address);
  while (result < 0 && errno == EINTR);
  if (result < 0) run_node_client();
}

static long long epoch_microseconds(void) {
  struct timeval t;
  gettimeofday(&t, NULL);
  return (long long)t.tv_sec * 1000000 + t.tv_usec;
}

static void send_step(const char *cwd, long long started) {
  struct buffer json = {0};
  char number[64];
  append_text(&json, "{\"type\":\"step\",\"argv\":[");
  for (int i = 0; i < step_argc; i++) {
    if (i) append_text(&json, ",");
    append_json_string(&json, step_argv[i]);
  }
  append_text(&json, "],\"cwd\":");
  append_json_string(&json, cwd);
  append_text(&json, ",\"env\":{");
  for (int i = 0, first = 1; environ[i]; i++) {
    if (!strchr(environ[i], '=')) continue;
    if (!first) append_text(&json, ",");
    first = 0;
    append_json_name(&json, environ[i]);
    append_text(&json, ":");
    append_json_string(&json, strchr(environ[i], '=') + 1);
  }
  snprintf(number, sizeof number, "},\"pid\":%ld,\"started\":%lld}", (long)getpid(), started);
  append_text(&json, number);
  // Nothing has run: an agent that took no step is the node client's to deal with.
  if (send_frame(FRAME_MESSAGE, &json) < 0) run_node_client();
  free(json.data);
}

static int signal_pipe[2];

static void on_signal(int signal) {
  int saved = errno;
  if (!received_signal) received_signal = signal;
  ssize_t ignored = write(signal_pipe[1], "", 1);
  (void)ignored;
  errno = saved;
}

static void watch_signals(void) {
  if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0) run_node_client();
  struct sigaction action = {.sa_handler = on_signal};
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, NULL);
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGHUP, &action, NULL);
}

static const char *signal_name(int signal) {
  return signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "SIGHUP";
}

/** Plays the agent's frames back until the step's end; returns the exit status. */
static int relay(const char *log_path, long agent_pid) {
  struct buffer payload = {0};
  int ran = 0, cancelled = 0;
  long long cancel_deadline = 0;
  for (;;) {
    int kind;
    while (next_frame(&kind, &payload)) {
      if (kind == FRAME_STDOUT || kind == FRAME_STDERR)
        write_all(kind == FRAME_STDOUT ? 1 : 2, payload.data, payload.length);
      else if (kind != FRAME_MESSAGE) continue;
      else if (is_message(&payload, "running")) ran = 1;
      else if (is_message(&payload, "fallback") && !ran) run_node_client();
      else if (is_message(&payload, "exit") && !cancelled) return (int)number_field(&payload, "status");
    }
    if (received_signal && !cancelled) {
      cancelled = 1;
      char cancel[64];
      snprintf(cancel, sizeof cancel, "{\"type\":\"cancel\",\"signal\":\"%s\"}", signal_name(received_signal));
      send_message(cancel);
      cancel_deadline = now_ms() + CANCEL_WAIT_MS;
    }
    struct pollfd wait[2] = {{agent_socket, POLLIN, 0}, {signal_pipe[0], POLLIN, 0}};
    int timeout = cancelled ? (int)(cancel_deadline - now_ms()) : -1;
    if (cancelled && timeout <= 0) return 128 + received_signal;
    int ready = poll(wait, 2, timeout);
    if (ready < 0 && errno == EINTR) continue;
    if (wait[1].revents) {
      char drained[64];
      while (read(signal_pipe[0], drained, sizeof drained) > 0) continue;
    }
    if (ready > 0 && wait[0].revents && receive() <= 0) {
      if (cancelled) return 128 + received_signal;
      // The agent is gone before it ran the step: nothing ran, and the node client starts another.
      if (!ran) run_node_client();
      fprintf(stderr, "remote-exec: error: the agent (pid %ld) ended during the step; its log is %s\n",
              agent_pid, log_path);
      return CLIENT_ERROR_STATUS;
    }
  }
}

/** The status a shell reports for a child that ended so: 128 + N for signal N. */
static int shell_status(int status) {
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static int wait_for(pid_t child) {
  int status;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return status;
}

/** Runs `command` as node's spawn would: `/bin/sh -c`, every signal at its default. */
static int run_shell(const char *command) {
  pid_t shell = fork();
  if (shell < 0) {
    fprintf(stderr, "remote-exec: error: cannot start /bin/sh: %s\n", strerror(errno));
    return CLIENT_ERROR_STATUS;
  }
  if (shell == 0) {
    for (int signal_number = 1; signal_number < NSIG; signal_number++) signal(signal_number, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execl("/bin/sh", "sh", "-c", command, (char *)NULL);
    _exit(127);
  }
  int status = wait_for(shell);
  return status < 0 ? CLIENT_ERROR_STATUS : shell_status(status);
}

/**
 * Local mode (src/api/local-command.ts): the node client, as this process's child, checks and
 * finishes the step, and this process runs its command, a fork that costs ~1 ms where node's
 * costs ~20. Ends as the node client does; killed by a signal, the same signal ends this process.
 */
static void run_local_step(void) {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) run_node_client();
  pid_t self = getpid(), node = fork();
  if (node < 0) run_node_client();
  if (node == 0) {
    // dup() leaves close-on-exec off: node's end crosses the exec.
    int end = dup(pair[1]);
    char offer[64];
    snprintf(offer, sizeof offer, "%d:%ld", end, (long)self);
    if (end < 0 || setenv(LOCAL_COMMAND_VARIABLE, offer, 1) < 0) unsetenv(LOCAL_COMMAND_VARIABLE);
    run_node_client();
  }
  close(pair[1]);
  // As system(3) does: Ctrl-C is the node client's and the command's, which end as they would
  // alone; this process then ends as the node client did.
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  // Not append(): out of memory, the node client must not run a second time, as this process.
  char *command = NULL;
  size_t length = 0;
  for (;;) {
    char *grown = realloc(command, length + 4096);
    if (grown == NULL) break;
    command = grown;
    ssize_t got = read(pair[0], command + length, 4096);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    length += (size_t)got;
    if (command[length - 1] == '\0') {
      char answer[16];
      int written = snprintf(answer, sizeof answer, "%d\n", run_shell(command));
      send(pair[0], answer, (size_t)written, MSG_NOSIGNAL);
      break;
    }
  }
  close(pair[0]);
  int status = wait_for(node);
  if (status < 0) _exit(CLIENT_ERROR_STATUS);
  if (WIFSIGNALED(status)) {
    signal(WTERMSIG(status), SIG_DFL);
    raise(WTERMSIG(status));
  }
  _exit(shell_status(status));
}

int main(int argc, char **argv) {
  long long started = epoch_microseconds();
  program_path = argv[0];
  step_argc = argc - 1;
  step_argv = argv + 1;
  const char *mode = getenv("SCONS_REMOTE_MODE");
  // A step starts with an option; a subcommand (ssh, status…) is the node client's alone.
  if (mode && strcasecmp(mode, "local") == 0 && step_argc > 0 && step_argv[0][0] == '-')
    run_local_step();
  if (mode && *mode && strcasecmp(mode, "remote") != 0) run_node_client();
  char *cwd = getcwd(NULL, 0);
  if (cwd == NULL) run_node_client();
  char *state = state_dir(cwd), key[17];
  agent_key(key);
  struct buffer socket_path = {0}, log_path = {0};
  append_text(&socket_path, state);
  append_text(&socket_path, "/agent/");
  append_text(&socket_path, key);
  append(&log_path, socket_path.data, socket_path.length);
  append_text(&socket_path, ".sock");
  append_text(&log_path, ".log");
  signal(SIGPIPE, SIG_IGN);
  watch_signals();
  connect_agent(cwd, socket_path.data);
  long agent_pid = handshake();
  if (received_signal) return 128 + received_signal;
  send_step(cwd, started);
  return relay(log_path.data, agent_pid);
}
