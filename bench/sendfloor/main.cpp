// parley-bench-sendfloor: what one loopback send costs on this machine, without a server.
//
// The fanout figure of the performance issue is bounded below by one send() per recipient
// per message: on loopback the sender's system call also runs the receiver's TCP input and
// wakes it. This probe measures that floor the way the server meets it: a reader process
// holds N connections in one epoll loop (as the load generator does), and this process
// writes one WebSocket-sized frame to `members` of them per message, at a fixed message
// rate, TCP_NODELAY, non-blocking. It prints the sender's user and kernel CPU per send
// (getrusage), to set beside the server's CPU per delivery.
//
//   parley-bench-sendfloor [--connections 1000] [--members 20] [--rate 2000] [--seconds 10] [--bytes 320]

#include <arpa/inet.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

struct Options
{
    int connections = 1000;
    int members = 20;
    int rate = 2000; // messages per second
    int seconds = 10;
    int bytes = 320; // about a message:new frame of a 100-character message
};

[[noreturn]] void fail(const char *what)
{
    std::perror(what);
    std::exit(1);
}

Options parse(int argc, char **argv)
{
    Options options;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string name = argv[i];
        const int value = std::atoi(argv[i + 1]);
        if (name == "--connections")
            options.connections = value;
        else if (name == "--members")
            options.members = value;
        else if (name == "--rate")
            options.rate = value;
        else if (name == "--seconds")
            options.seconds = value;
        else if (name == "--bytes")
            options.bytes = value;
        else {
            std::fprintf(stderr, "unknown option %s\n", name.c_str());
            std::exit(2);
        }
    }
    return options;
}

// The reader: connects, then reads everything until the sender closes every socket.
void runReader(const sockaddr_in &address, int connections)
{
    const int poller = epoll_create1(0);
    for (int i = 0; i < connections; ++i) {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0)
            fail("reader connect");
        epoll_event event {};
        event.events = EPOLLIN;
        event.data.fd = fd;
        epoll_ctl(poller, EPOLL_CTL_ADD, fd, &event);
    }
    std::vector<epoll_event> ready(256);
    std::vector<char> buffer(64 * 1024);
    int open = connections;
    while (open > 0) {
        const int count = epoll_wait(poller, ready.data(), int(ready.size()), -1);
        for (int i = 0; i < count; ++i) {
            const ssize_t got = read(ready[i].data.fd, buffer.data(), buffer.size());
            if (got <= 0) {
                close(ready[i].data.fd);
                --open;
            }
        }
    }
    std::exit(0);
}

double cpuSeconds(const timeval &time)
{
    return double(time.tv_sec) + double(time.tv_usec) / 1e6;
}

} // namespace

int main(int argc, char **argv)
{
    const Options options = parse(argc, argv);
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
        listen(listener, 4096) != 0 ||
        getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) != 0)
        fail("listen");

    const pid_t reader = fork();
    if (reader == 0) {
        close(listener);
        runReader(address, options.connections);
    }
    std::vector<int> sockets;
    for (int i = 0; i < options.connections; ++i) {
        const int fd = accept(listener, nullptr, nullptr);
        if (fd < 0)
            fail("accept");
        const int on = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        sockets.push_back(fd);
    }

    const std::vector<char> frame(std::size_t(options.bytes), 'x');
    const auto interval = std::chrono::nanoseconds(1'000'000'000LL / options.rate);
    const long messages = long(options.rate) * options.seconds;
    long sends = 0;
    long short_writes = 0;
    rusage before {};
    getrusage(RUSAGE_SELF, &before);
    const auto start = std::chrono::steady_clock::now();
    for (long message = 0; message < messages; ++message) {
        // The members of one "channel": consecutive sockets, as the bench's seeding formula does.
        const int first = int((message * options.members) % options.connections);
        for (int m = 0; m < options.members; ++m) {
            const int fd = sockets[std::size_t((first + m) % options.connections)];
            const ssize_t sent = send(fd, frame.data(), frame.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
            if (sent != ssize_t(frame.size()))
                ++short_writes;
            ++sends;
        }
        std::this_thread::sleep_until(start + interval * (message + 1));
    }
    rusage after {};
    getrusage(RUSAGE_SELF, &after);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double user = cpuSeconds(after.ru_utime) - cpuSeconds(before.ru_utime);
    const double kernel = cpuSeconds(after.ru_stime) - cpuSeconds(before.ru_stime);

    for (const int fd : sockets)
        close(fd);
    waitpid(reader, nullptr, 0);

    std::printf("connections %d, %d members per message, %d messages/s for %.1f s, %d-byte frames\n",
        options.connections, options.members, options.rate, wall, options.bytes);
    std::printf("sends %ld (short or refused %ld): user %.2f us, kernel %.2f us, total %.2f us per send\n",
        sends, short_writes, user / double(sends) * 1e6, kernel / double(sends) * 1e6,
        (user + kernel) / double(sends) * 1e6);
    return 0;
}
