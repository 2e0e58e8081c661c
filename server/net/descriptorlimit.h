#pragma once

#include <sys/resource.h>

namespace parley::net {

// The process's open-descriptor limit (RLIMIT_NOFILE). A server needs one descriptor
// per connection, and the usual soft limit (1024) is far below the hard one, which is
// what an administrator actually allows.
struct DescriptorLimit
{
    rlim_t before = 0; // the soft limit found
    rlim_t soft = 0; // the soft limit now
    rlim_t hard = 0;
    bool raised() const { return soft > before; }
};

// Raises the soft limit to the hard one (as far as the kernel's nr_open allows); the
// limits as they are when it cannot.
DescriptorLimit raiseDescriptorLimit();

} // namespace parley::net
