// The Node addon: converts between JavaScript and the C core, nothing more.
#include <napi.h>
#include <signal.h>

extern "C" {
#include "cgroup.h"
#include "image_fs.h"
#include "linux.h"
#include "network.h"
#include "overlay_attr.h"
#include "pty_reader.h"
#include "sealed_exe.h"
#include "state.h"
#include "text.h"
}

namespace {

Napi::Value Fail(Napi::Env env, const bd_error &err) {
  Napi::Error::New(env, err.msg).ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value Limit(Napi::Env env, uint64_t v) { return v ? Napi::Number::New(env, static_cast<double>(v)) : env.Null(); }

// readStats(version, memoryDir, pidsDir) -> {memory, pids}
Napi::Value ReadStats(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  cgroup cg = {};
  cg.version = info[0].As<Napi::Number>().Int32Value();
  snprintf(cg.memory, sizeof cg.memory, "%s", info[1].As<Napi::String>().Utf8Value().c_str());
  snprintf(cg.pids, sizeof cg.pids, "%s", info[2].As<Napi::String>().Utf8Value().c_str());
  cgroup_stats s;
  bd_error err;
  if (cgroup_read_stats(&cg, &s, &err) < 0) return Fail(env, err);
  Napi::Object pids = Napi::Object::New(env);
  pids.Set("current", Napi::Number::New(env, static_cast<double>(s.pids_current)));
  pids.Set("limit", Limit(env, s.pids_limit));
  Napi::Object result = Napi::Object::New(env);
  result.Set("pids", pids);
  if (!s.has_memory) {
    result.Set("memory", env.Null());
    return result;
  }
  Napi::Object memory = Napi::Object::New(env);
  memory.Set("current", Napi::Number::New(env, static_cast<double>(s.memory_current)));
  memory.Set("peak", s.has_peak ? Napi::Number::New(env, static_cast<double>(s.memory_peak)) : env.Null());
  memory.Set("limit", Limit(env, s.memory_limit));
  memory.Set("oomKills", Napi::Number::New(env, static_cast<double>(s.oom_kills)));
  result.Set("memory", memory);
  return result;
}

// readHostname(pid) -> string
Napi::Value ReadHostname(const Napi::CallbackInfo &info) {
  char name[256];
  bd_error err;
  if (read_hostname(info[0].As<Napi::Number>().Int32Value(), name, sizeof name, &err) < 0) return Fail(info.Env(), err);
  return Napi::String::New(info.Env(), name);
}

// sealedCopy(path) -> fd of a sealed memfd holding the file
Napi::Value SealedCopy(const Napi::CallbackInfo &info) {
  bd_error err;
  int fd = sealed_copy(info[0].As<Napi::String>().Utf8Value().c_str(), &err);
  if (fd < 0) return Fail(info.Env(), err);
  return Napi::Number::New(info.Env(), fd);
}

// gc(removeBridge) -> number of dead runs cleaned up (native/state.h)
Napi::Value Gc(const Napi::CallbackInfo &info) {
  bd_error err;
  int n = state_gc(info[0].As<Napi::Boolean>().Value(), &err);
  if (n < 0) return Fail(info.Env(), err);
  return Napi::Number::New(info.Env(), n);
}

// isLive(id) -> whether that run's shim is alive
Napi::Value IsLive(const Napi::CallbackInfo &info) {
  return Napi::Boolean::New(info.Env(), state_is_live(info[0].As<Napi::String>().Utf8Value().c_str()));
}

// firstControl(bytes) -> index of the first byte of a control character but TAB, CR and LF, or -1
Napi::Value FirstControl(const Napi::CallbackInfo &info) {
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  long at = first_control(bytes.Data(), bytes.ElementLength());
  return Napi::Number::New(info.Env(), static_cast<double>(at));
}

// A pty reader and the function that tells JavaScript its output waits.
struct PtyReaderHandle {
  pty_reader *reader = nullptr;
  Napi::ThreadSafeFunction ready;
};

// On the reader thread: call onReady on the JavaScript thread.
void NotifyReady(void *ctx, int last) {
  auto *handle = static_cast<PtyReaderHandle *>(ctx);
  handle->ready.NonBlockingCall();
  if (last) handle->ready.Release();
}

// ptyReaderStart(fd, highWater, onReady) -> handle
Napi::Value PtyReaderStart(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  auto *handle = new PtyReaderHandle();
  handle->ready = Napi::ThreadSafeFunction::New(env, info[2].As<Napi::Function>(), "pty reader", 0, 1);
  bd_error err;
  if (pty_reader_start(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int64Value(), NotifyReady, handle, &handle->reader, &err) <
      0) {
    handle->ready.Release();
    delete handle;
    return Fail(env, err);
  }
  return Napi::External<PtyReaderHandle>::New(env, handle);
}

// ptyReaderTake(handle) -> { data: Buffer | null, ended, error }
Napi::Value PtyReaderTake(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  pty_output output;
  bd_error err;
  if (pty_reader_take(info[0].As<Napi::External<PtyReaderHandle>>().Data()->reader, &output, &err) < 0) return Fail(env, err);
  Napi::Object result = Napi::Object::New(env);
  result.Set("data", output.data ? Napi::Buffer<char>::New(env, output.data, output.length, [](Napi::Env, char *data) { free(data); }) : env.Null());
  result.Set("ended", Napi::Boolean::New(env, output.ended));
  result.Set("error", Napi::String::New(env, output.error));
  return result;
}

// ptyReaderPause(handle, paused)
Napi::Value PtyReaderPause(const Napi::CallbackInfo &info) {
  pty_reader_pause(info[0].As<Napi::External<PtyReaderHandle>>().Data()->reader, info[1].As<Napi::Boolean>().Value());
  return info.Env().Undefined();
}

// ptyReaderFree(handle), once the end has been taken
Napi::Value PtyReaderFree(const Napi::CallbackInfo &info) {
  auto *handle = info[0].As<Napi::External<PtyReaderHandle>>().Data();
  pty_reader_free(handle->reader);
  delete handle;
  return info.Env().Undefined();
}

// cgroupMode() -> "v1" | "hybrid" | "v2"
Napi::Value CgroupMode(const Napi::CallbackInfo &info) {
  switch (cgroup_detect_mode()) {
    case CGROUP_MODE_V2:
      return Napi::String::New(info.Env(), "v2");
    case CGROUP_MODE_HYBRID:
      return Napi::String::New(info.Env(), "hybrid");
    default:
      return Napi::String::New(info.Env(), "v1");
  }
}

// imageOpenFile(root, rel) -> fd of a new file, for writing
Napi::Value ImageOpenFile(const Napi::CallbackInfo &info) {
  bd_error err;
  int fd = image_open_file(info[0].As<Napi::String>().Utf8Value().c_str(), info[1].As<Napi::String>().Utf8Value().c_str(), &err);
  if (fd < 0) return Fail(info.Env(), err);
  return Napi::Number::New(info.Env(), fd);
}

// imageMake(root, rel, {type, mode, uid, gid, mtimeSec, mtimeNsec, target, major, minor})
Napi::Value ImageMake(const Napi::CallbackInfo &info) {
  static const char *const types[] = {"dir", "symlink", "hardlink", "char", "block", "fifo"};
  Napi::Object e = info[2].As<Napi::Object>();
  std::string type = e.Get("type").As<Napi::String>().Utf8Value();
  std::string target = e.Has("target") ? e.Get("target").As<Napi::String>().Utf8Value() : "";
  image_entry entry = {};
  entry.type = static_cast<image_entry_type>(-1);
  for (size_t i = 0; i < sizeof types / sizeof *types; i++)
    if (type == types[i]) entry.type = static_cast<image_entry_type>(i);
  entry.mode = e.Get("mode").As<Napi::Number>().Uint32Value();
  entry.uid = e.Get("uid").As<Napi::Number>().Uint32Value();
  entry.gid = e.Get("gid").As<Napi::Number>().Uint32Value();
  entry.mtime_sec = e.Get("mtimeSec").As<Napi::Number>().Int64Value();
  entry.mtime_nsec = e.Get("mtimeNsec").As<Napi::Number>().Int32Value();
  entry.target = target.c_str();
  entry.major = e.Has("major") ? e.Get("major").As<Napi::Number>().Uint32Value() : 0;
  entry.minor = e.Has("minor") ? e.Get("minor").As<Napi::Number>().Uint32Value() : 0;
  bd_error err;
  if (image_make(info[0].As<Napi::String>().Utf8Value().c_str(), info[1].As<Napi::String>().Utf8Value().c_str(), &entry, &err) < 0)
    return Fail(info.Env(), err);
  return info.Env().Undefined();
}

// imageSetOpaque(root, rel)
Napi::Value ImageSetOpaque(const Napi::CallbackInfo &info) {
  bd_error err;
  if (image_set_opaque(info[0].As<Napi::String>().Utf8Value().c_str(), info[1].As<Napi::String>().Utf8Value().c_str(), &err) < 0)
    return Fail(info.Env(), err);
  return info.Env().Undefined();
}

// imageSetMtime(root, rel, sec, nsec)
Napi::Value ImageSetMtime(const Napi::CallbackInfo &info) {
  bd_error err;
  if (image_set_mtime(info[0].As<Napi::String>().Utf8Value().c_str(), info[1].As<Napi::String>().Utf8Value().c_str(),
                      info[2].As<Napi::Number>().Int64Value(), info[3].As<Napi::Number>().Int32Value(), &err) < 0)
    return Fail(info.Env(), err);
  return info.Env().Undefined();
}

// overlayAttrs(path) -> {opaque, redirect, metacopy}
Napi::Value OverlayAttrs(const Napi::CallbackInfo &info) {
  bd_error err;
  int attrs = overlay_attrs(info[0].As<Napi::String>().Utf8Value().c_str(), &err);
  if (attrs < 0) return Fail(info.Env(), err);
  Napi::Object result = Napi::Object::New(info.Env());
  result.Set("opaque", Napi::Boolean::New(info.Env(), attrs & OVERLAY_OPAQUE));
  result.Set("redirect", Napi::Boolean::New(info.Env(), attrs & OVERLAY_REDIRECT));
  result.Set("metacopy", Napi::Boolean::New(info.Env(), attrs & OVERLAY_METACOPY));
  return result;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("readStats", Napi::Function::New(env, ReadStats));
  exports.Set("readHostname", Napi::Function::New(env, ReadHostname));
  exports.Set("sealedCopy", Napi::Function::New(env, SealedCopy));
  exports.Set("gc", Napi::Function::New(env, Gc));
  exports.Set("isLive", Napi::Function::New(env, IsLive));
  exports.Set("cgroupMode", Napi::Function::New(env, CgroupMode));
  exports.Set("firstControl", Napi::Function::New(env, FirstControl));
  exports.Set("ptyReaderStart", Napi::Function::New(env, PtyReaderStart));
  exports.Set("ptyReaderTake", Napi::Function::New(env, PtyReaderTake));
  exports.Set("ptyReaderPause", Napi::Function::New(env, PtyReaderPause));
  exports.Set("ptyReaderFree", Napi::Function::New(env, PtyReaderFree));
  exports.Set("imageOpenFile", Napi::Function::New(env, ImageOpenFile));
  exports.Set("imageMake", Napi::Function::New(env, ImageMake));
  exports.Set("imageSetOpaque", Napi::Function::New(env, ImageSetOpaque));
  exports.Set("imageSetMtime", Napi::Function::New(env, ImageSetMtime));
  exports.Set("overlayAttrs", Napi::Function::New(env, OverlayAttrs));
  // What the shim takes as "kill the container" (see native/shim.c).
  exports.Set("shimKillSignal", Napi::Number::New(env, SIGRTMIN));
  exports.Set("stateRoot", Napi::String::New(env, STATE_ROOT));
  return exports;
}

}  // namespace

NODE_API_MODULE(baby_docker, Init)
