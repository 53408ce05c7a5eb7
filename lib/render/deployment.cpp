#include "render/deployment.hpp"

#include <array>
#include <utility>

namespace calzion::render {

namespace {

constexpr std::array<std::pair<MountType, std::string_view>, 3> k_mount_types = {
    {{MountType::instance, "instance"}, {MountType::volume, "volume"}, {MountType::bind, "bind"}}};
constexpr std::array<std::pair<PullPolicy, std::string_view>, 3> k_pull_policies = {
    {{PullPolicy::missing, "missing"}, {PullPolicy::always, "always"}, {PullPolicy::never, "never"}}};
constexpr std::array<std::pair<UpdateOrder, std::string_view>, 2> k_update_orders = {
    {{UpdateOrder::start_first, "start-first"}, {UpdateOrder::stop_first, "stop-first"}}};

template <typename Enum, size_t N>
std::string_view name_in(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum value) {
    for (const auto& [each, name] : names) {
        if (each == value) {
            return name;
        }
    }
    return names.front().second;
}

template <typename Enum, size_t N>
std::optional<Enum> value_in(const std::array<std::pair<Enum, std::string_view>, N>& names, std::string_view name) {
    for (const auto& [value, each] : names) {
        if (each == name) {
            return value;
        }
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(MountType type) { return name_in(k_mount_types, type); }
std::string_view to_string(PullPolicy pull) { return name_in(k_pull_policies, pull); }
std::string_view to_string(UpdateOrder order) { return name_in(k_update_orders, order); }

std::optional<MountType> mount_type_named(std::string_view name) { return value_in(k_mount_types, name); }
std::optional<PullPolicy> pull_policy_named(std::string_view name) { return value_in(k_pull_policies, name); }
std::optional<UpdateOrder> update_order_named(std::string_view name) { return value_in(k_update_orders, name); }

}  // namespace calzion::render
