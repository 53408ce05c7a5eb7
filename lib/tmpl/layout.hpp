#pragma once

#include <string>
#include <vector>

#include "tmpl/document.hpp"

namespace calzion::tmpl {

// Top-level keys that are never service names.
inline const std::vector<std::string> k_reserved_keys = {"services", "env", "vars", "calzion", "pipeline"};

// One service as it appears in the document, before its settings are read.
struct ServiceEntry {
    std::string name;           // "rethinkdb" for the key "elsdoerfer/rethinkdb"
    std::string image_from_key; // the key, when it reads as an image reference
    const Node* key = nullptr;
    const Node* body = nullptr;  // null node, or the mapping of settings
};

// Where the parts of a template sit in its document, in either form: the short
// form (every non-reserved top-level key is a service) or the long form
// (services under `services:`).
struct Layout {
    bool long_form = false;
    const Node* env = nullptr;
    const Node* vars = nullptr;
    const Node* settings = nullptr;  // `calzion:`
    const Node* pipeline = nullptr;  // `pipeline:`, read by parse_pipeline
    std::vector<ServiceEntry> services;
};

// Find the parts of a template. Problems with the top level (not a mapping, a
// non-string key, a stray key in the long form) go to `diagnostics`.
Layout read_layout(const Node& root, Diagnostics& diagnostics);

// The service name a top-level key stands for.
std::string service_name_for_key(const std::string& key);

}  // namespace calzion::tmpl
