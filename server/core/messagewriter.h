#pragma once
// Placeholder: group commit of message:send, written with MessageHandler.
