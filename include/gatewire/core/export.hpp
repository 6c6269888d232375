// GATEWIRE_API marks what the library exports. It is built with hidden
// visibility, so a shared libgatewire exposes only its API, never the symbols
// of the parsers and codecs it uses inside.
#pragma once

#if defined(_WIN32)
#if defined(GATEWIRE_BUILDING_SHARED)
#define GATEWIRE_API __declspec(dllexport)
#elif defined(GATEWIRE_SHARED)
#define GATEWIRE_API __declspec(dllimport)
#else
#define GATEWIRE_API
#endif
#else
#define GATEWIRE_API __attribute__((visibility("default")))
#endif

// Types that exported templates are instantiated with (the event structs, for
// decode<E>) must be visible themselves, or the instantiations would be hidden.
#if defined(__GNUC__)
#define GATEWIRE_VISIBLE_TYPES_BEGIN _Pragma("GCC visibility push(default)")
#define GATEWIRE_VISIBLE_TYPES_END _Pragma("GCC visibility pop")
#else
#define GATEWIRE_VISIBLE_TYPES_BEGIN
#define GATEWIRE_VISIBLE_TYPES_END
#endif
