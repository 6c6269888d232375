// The bot under test: it greets whoever says "!hello", once per message, and
// keeps the greetings it decided on (a real bot would post them over REST).
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include <gatewire/client/client.hpp>

class Greeter {
  public:
    explicit Greeter(gatewire::Client& client) {
        subscription_ = client.on<gatewire::events::MessageCreate>(
            [this](const gatewire::events::MessageCreate& m) {
                if (m.content == "!hello" && m.author) {
                    std::lock_guard lock(mutex_);
                    greetings_.push_back("hello, " + m.author->username.value_or("stranger"));
                }
            });
    }

    std::vector<std::string> greetings() const {
        std::lock_guard lock(mutex_);
        return greetings_;
    }

  private:
    mutable std::mutex mutex_;  // handlers run off the thread that asks
    std::vector<std::string> greetings_;
    gatewire::ScopedSubscription subscription_;
};
