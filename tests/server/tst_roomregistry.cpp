#include "core/roomregistry.h"

#include <QTest>

using parley::server::ConnectionId;
using parley::server::RoomRegistry;

class TestRoomRegistry : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void joinAddsMemberOnce();
    void lastLeaveRemovesRoom();
    void leaveAllCleansEveryRoom();
    void leaveUnknownIsNoop();
    void movingAUserTakesEverySession();
    void roomNames();
    void thousandCyclesLeaveNothing();
};

void TestRoomRegistry::joinAddsMemberOnce()
{
    RoomRegistry rooms;
    QVERIFY(rooms.join(1, QStringLiteral("channel:7")));
    QVERIFY(!rooms.join(1, QStringLiteral("channel:7")));
    QVERIFY(rooms.join(2, QStringLiteral("channel:7")));
    QCOMPARE(rooms.members(QStringLiteral("channel:7")), (QSet<ConnectionId> {1, 2}));
    QCOMPARE(rooms.roomCount(), 1);
    QCOMPARE(rooms.connectionCount(), 2);
    QVERIFY(rooms.contains(2, QStringLiteral("channel:7")));
    QVERIFY(!rooms.contains(3, QStringLiteral("channel:7")));
}

void TestRoomRegistry::lastLeaveRemovesRoom()
{
    RoomRegistry rooms;
    rooms.join(1, QStringLiteral("channel:7"));
    rooms.join(2, QStringLiteral("channel:7"));
    QVERIFY(rooms.leave(1, QStringLiteral("channel:7")));
    QVERIFY(rooms.find(QStringLiteral("channel:7")) != nullptr);
    QVERIFY(rooms.leave(2, QStringLiteral("channel:7")));
    QCOMPARE(rooms.find(QStringLiteral("channel:7")), nullptr);
    QCOMPARE(rooms.roomCount(), 0);
    QCOMPARE(rooms.connectionCount(), 0);
}

void TestRoomRegistry::leaveAllCleansEveryRoom()
{
    RoomRegistry rooms;
    rooms.join(1, QStringLiteral("user:1"));
    rooms.join(1, QStringLiteral("channel:1"));
    rooms.join(1, QStringLiteral("channel:2"));
    rooms.join(2, QStringLiteral("channel:2"));
    const QSet<QString> left = rooms.leaveAll(1);
    QCOMPARE(left,
        (QSet<QString> {QStringLiteral("user:1"), QStringLiteral("channel:1"), QStringLiteral("channel:2")}));
    QCOMPARE(rooms.roomCount(), 1);
    QCOMPARE(rooms.members(QStringLiteral("channel:2")), (QSet<ConnectionId> {2}));
    QVERIFY(rooms.roomsOf(1).isEmpty());
}

void TestRoomRegistry::movingAUserTakesEverySession()
{
    RoomRegistry rooms;
    rooms.join(1, RoomRegistry::userRoom(QStringLiteral("5"))); // two sessions of user 5
    rooms.join(2, RoomRegistry::userRoom(QStringLiteral("5")));
    rooms.join(3, RoomRegistry::userRoom(QStringLiteral("6")));
    rooms.join(3, RoomRegistry::channelRoom(QStringLiteral("9")));

    rooms.moveUserIn(QStringLiteral("5"), QStringLiteral("9"));
    QCOMPARE(rooms.members(RoomRegistry::channelRoom(QStringLiteral("9"))), (QSet<ConnectionId> {1, 2, 3}));
    rooms.moveUserIn(QStringLiteral("5"), QStringLiteral("9")); // again: nothing doubles
    QCOMPARE(rooms.roomsOf(1).size(), 2);

    rooms.moveUserOut(QStringLiteral("5"), QStringLiteral("9"));
    QCOMPARE(rooms.members(RoomRegistry::channelRoom(QStringLiteral("9"))), (QSet<ConnectionId> {3}));
    rooms.moveUserOut(QStringLiteral("6"), QStringLiteral("9")); // the last one out: no room left
    QCOMPARE(rooms.find(RoomRegistry::channelRoom(QStringLiteral("9"))), nullptr);
    rooms.moveUserIn(QStringLiteral("7"), QStringLiteral("9")); // a user with no session: no room
    QCOMPARE(rooms.find(RoomRegistry::channelRoom(QStringLiteral("9"))), nullptr);
}

void TestRoomRegistry::leaveUnknownIsNoop()
{
    RoomRegistry rooms;
    QVERIFY(!rooms.leave(1, QStringLiteral("channel:1")));
    QVERIFY(rooms.leaveAll(1).isEmpty());
    rooms.join(1, QStringLiteral("channel:1"));
    QVERIFY(!rooms.leave(2, QStringLiteral("channel:1")));
    QCOMPARE(rooms.roomCount(), 1);
}

void TestRoomRegistry::roomNames()
{
    QCOMPARE(RoomRegistry::userRoom(QStringLiteral("42")), QStringLiteral("user:42"));
    QCOMPARE(RoomRegistry::channelRoom(QStringLiteral("7")), QStringLiteral("channel:7"));
}

void TestRoomRegistry::thousandCyclesLeaveNothing()
{
    RoomRegistry rooms;
    rooms.join(999999, QStringLiteral("channel:1")); // a long-lived member keeps its room
    for (ConnectionId id = 1; id <= 1000; ++id) {
        rooms.join(id, RoomRegistry::userRoom(QString::number(id % 17)));
        rooms.join(id, QStringLiteral("channel:1"));
        rooms.join(id, RoomRegistry::channelRoom(QString::number(id)));
        rooms.leaveAll(id);
    }
    QCOMPARE(rooms.roomCount(), 1);
    QCOMPARE(rooms.connectionCount(), 1);
    QCOMPARE(rooms.members(QStringLiteral("channel:1")), (QSet<ConnectionId> {999999}));
}

QTEST_APPLESS_MAIN(TestRoomRegistry)
#include "tst_roomregistry.moc"
