#pragma once
// Saving a run: every parameter as `<dir>/<symbol>.npy` and the loss history as
// `<dir>/loss.npy`, readable with numpy.load. Loading puts saved values back into a parameter set.
#include <string>
#include <type_traits>

#include <boost/hana/for_each.hpp>

#include "../io/npy.hpp"
#include "bindings.hpp"
#include "checkpoint.hpp"
#include "gradient_descent.hpp"

namespace symdiff {

/// Writes `<dir>/<name>.npy` for each parameter and `<dir>/loss.npy`; creates `dir` if needed.
template <class P>
void save_npy(const descent_result<P>& result, const std::string& dir) {
    static_assert(!detail::has_parameter_named_loss<P>,
                  "save_npy(fit, dir): a parameter is named \"loss\", but the loss history is saved as loss.npy "
                  "beside the parameters' files: give the symbol another name");
    detail::create_directories("save_npy", dir);
    detail::write_set(result.parameters, dir, "");
    save_npy(dir + "/loss.npy", result.loss_history);
}

/// Replaces each parameter's value by the one saved in `<dir>/<name>.npy` (shapes must match).
/// All or nothing: every file is read and checked first, so a missing file or a wrong shape
/// throws io_error and leaves `p` as it was.
template <class... Bs>
void load_npy(parameter_set<Bs...>& p, const std::string& dir) {
    parameter_set<Bs...> loaded = p;
    boost::hana::for_each(loaded.bindings, [&](auto& b) {
        using B = std::remove_cvref_t<decltype(b)>;
        using V = std::remove_cvref_t<decltype(b.value)>;
        const std::string name(B::name.view());
        const std::string path = dir + "/" + name + ".npy";
        if constexpr (std::is_arithmetic_v<V>) {
            b.value = load_npy_scalar<V>(path);
        } else {
            using T = typename V::value_type;
            const auto value = load_npy<T>(path);
            if (!std::equal(value.shape().begin(), value.shape().end(), b.value.shape().begin(), b.value.shape().end()))
                throw io_error("load_npy: '" + path + "' holds shape " + shape_to_string(detail::shape_of(value)) +
                               " but parameter '" + name + "' has shape " + shape_to_string(detail::shape_of(b.value)));
            b.value = value;
        }
    });
    p = std::move(loaded);
}

}  // namespace symdiff
