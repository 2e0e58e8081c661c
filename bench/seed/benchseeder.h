#pragma once

#include "protocol/result.h"

#include <QString>

namespace parley::bench {

struct SeedPlan
{
    QString dataDir;
    int users = 1000; // ids 1..users
    int channels = 50; // ids 1..channels
    int perUser = 1; // K: user u is in channels ((u-1)*K + j) % C + 1, j = 0..K-1
    QString tokensFile; // JSON array [{"userId", "token"}], the load generator's --tokens
};

struct SeedSummary
{
    int users = 0;
    int channels = 0;
    int memberships = 0;
};

// Writes the plan straight into a fresh data dir through the store (no password hashing:
// the seeded users cannot log in with a password, only with the tokens written here, which
// are minted with the data dir's own signing key exactly as the server mints them).
protocol::Result<SeedSummary, QString> seed(const SeedPlan &plan);

// The load generator's membership formula, 1-based.
int formulaChannel(int user, int j, const SeedPlan &plan);

} // namespace parley::bench
