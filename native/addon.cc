// The Node addon: converts between JavaScript and the C core, nothing more.
#include <napi.h>
#include <signal.h>

#include <string>
#include <vector>

extern "C" {
#include "cgroup.h"
#include "image_fs.h"
#include "linux.h"
#include "network.h"
#include "overlay_attr.h"
#include "child.h"
#include "pty_master.h"
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

// Two fds as a JavaScript array.
Napi::Value FdPair(Napi::Env env, const int fds[2]) {
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, Napi::Number::New(env, fds[0]));
  result.Set(1u, Napi::Number::New(env, fds[1]));
  return result;
}

// childPipe() -> [read end, write end], close-on-exec
Napi::Value ChildPipe(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fds[2];
  bd_error err;
  if (child_pipe(fds, &err) < 0) return Fail(env, err);
  return FdPair(env, fds);
}

// A child's end, told to JavaScript once.
struct ChildEnd {
  Napi::ThreadSafeFunction ended;
  int code = -1, signal = -1;
};

// On the waiting thread: call onExit(code, signal) on the JavaScript thread.
void NotifyEnded(void *ctx, int code, int signal) {
  auto *end = static_cast<ChildEnd *>(ctx);
  end->code = code;
  end->signal = signal;
  end->ended.NonBlockingCall([end](Napi::Env env, Napi::Function onExit) {
    onExit.Call({end->code < 0 ? env.Null() : Napi::Number::New(env, end->code), end->signal < 0 ? env.Null() : Napi::Number::New(env, end->signal)});
    end->ended.Release();
    delete end;
  });
}

// spawnChild(file, argv, fds, onExit(code | null, signal | null)) -> pid
Napi::Value SpawnChild(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string file = info[0].As<Napi::String>().Utf8Value();
  Napi::Array args = info[1].As<Napi::Array>();
  Napi::Array fdList = info[2].As<Napi::Array>();
  std::vector<std::string> strings;
  for (uint32_t i = 0; i < args.Length(); i++) strings.push_back(args.Get(i).As<Napi::String>().Utf8Value());
  std::vector<char *> argv;
  for (auto &arg : strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<int> fds;
  for (uint32_t i = 0; i < fdList.Length(); i++) fds.push_back(fdList.Get(i).As<Napi::Number>().Int32Value());
  auto *end = new ChildEnd();
  end->ended = Napi::ThreadSafeFunction::New(env, info[3].As<Napi::Function>(), "child end", 0, 1);
  pid_t pid;
  bd_error err;
  if (child_start(file.c_str(), argv.data(), fds.data(), static_cast<int>(fds.size()), NotifyEnded, end, &pid, &err) < 0) {
    end->ended.Release();
    delete end;
    return Fail(env, err);
  }
  return Napi::Number::New(env, pid);
}

// A pty master served on its own thread, and the function that tells JavaScript its output waits.
struct PtyMasterHandle {
  pty_master *master = nullptr;
  Napi::ThreadSafeFunction ready;
};

pty_master *MasterOf(const Napi::Value &value) { return value.As<Napi::External<PtyMasterHandle>>().Data()->master; }

// On the pty's thread: call onReady on the JavaScript thread.
void NotifyReady(void *ctx, int last) {
  auto *handle = static_cast<PtyMasterHandle *>(ctx);
  handle->ready.NonBlockingCall();
  if (last) handle->ready.Release();
}

// consoleChannel() -> [ours, the shim's]
Napi::Value ConsoleChannel(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int pair[2];
  bd_error err;
  if (pty_master_channel(pair, &err) < 0) return Fail(env, err);
  return FdPair(env, pair);
}

// receiveConsole(ours) -> the pty master's fd
Napi::Value ReceiveConsole(const Napi::CallbackInfo &info) {
  bd_error err;
  int fd = pty_master_receive(info[0].As<Napi::Number>().Int32Value(), &err);
  return fd < 0 ? Fail(info.Env(), err) : Napi::Number::New(info.Env(), fd);
}

// ptyMasterStart(fd, highWater, onReady) -> handle; the fd is the handle's from now on
Napi::Value PtyMasterStart(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  auto *handle = new PtyMasterHandle();
  handle->ready = Napi::ThreadSafeFunction::New(env, info[2].As<Napi::Function>(), "pty master", 0, 1);
  bd_error err;
  if (pty_master_start(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int64Value(), NotifyReady, handle, &handle->master, &err) <
      0) {
    handle->ready.Release();
    delete handle;
    return Fail(env, err);
  }
  return Napi::External<PtyMasterHandle>::New(env, handle);
}

// ptyMasterTake(handle) -> { data: Buffer | null, ended, error }
Napi::Value PtyMasterTake(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  pty_output output;
  bd_error err;
  if (pty_master_take(MasterOf(info[0]), &output, &err) < 0) return Fail(env, err);
  Napi::Object result = Napi::Object::New(env);
  result.Set("data", output.data ? Napi::Buffer<char>::New(env, output.data, output.length, [](Napi::Env, char *data) { free(data); }) : env.Null());
  result.Set("ended", Napi::Boolean::New(env, output.ended));
  result.Set("error", Napi::String::New(env, output.error));
  return result;
}

// ptyMasterWrite(handle, bytes)
Napi::Value PtyMasterWrite(const Napi::CallbackInfo &info) {
  Napi::Uint8Array bytes = info[1].As<Napi::Uint8Array>();
  bd_error err;
  if (pty_master_write(MasterOf(info[0]), reinterpret_cast<const char *>(bytes.Data()), bytes.ElementLength(), &err) < 0)
    return Fail(info.Env(), err);
  return info.Env().Undefined();
}

// ptyMasterResize(handle, cols, rows)
Napi::Value PtyMasterResize(const Napi::CallbackInfo &info) {
  bd_error err;
  auto cols = static_cast<unsigned short>(info[1].As<Napi::Number>().Uint32Value());
  auto rows = static_cast<unsigned short>(info[2].As<Napi::Number>().Uint32Value());
  if (pty_master_resize(MasterOf(info[0]), cols, rows, &err) < 0) return Fail(info.Env(), err);
  return info.Env().Undefined();
}

// ptyMasterPause(handle, paused)
Napi::Value PtyMasterPause(const Napi::CallbackInfo &info) {
  pty_master_pause(MasterOf(info[0]), info[1].As<Napi::Boolean>().Value());
  return info.Env().Undefined();
}

// ptyMasterFinish(handle): the program has ended
Napi::Value PtyMasterFinish(const Napi::CallbackInfo &info) {
  pty_master_finish(MasterOf(info[0]));
  return info.Env().Undefined();
}

// ptyMasterFree(handle), once the end has been taken
Napi::Value PtyMasterFree(const Napi::CallbackInfo &info) {
  auto *handle = info[0].As<Napi::External<PtyMasterHandle>>().Data();
  pty_master_free(handle->master);
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
  exports.Set("childPipe", Napi::Function::New(env, ChildPipe));
  exports.Set("spawnChild", Napi::Function::New(env, SpawnChild));
  exports.Set("consoleChannel", Napi::Function::New(env, ConsoleChannel));
  exports.Set("receiveConsole", Napi::Function::New(env, ReceiveConsole));
  exports.Set("ptyMasterStart", Napi::Function::New(env, PtyMasterStart));
  exports.Set("ptyMasterTake", Napi::Function::New(env, PtyMasterTake));
  exports.Set("ptyMasterWrite", Napi::Function::New(env, PtyMasterWrite));
  exports.Set("ptyMasterResize", Napi::Function::New(env, PtyMasterResize));
  exports.Set("ptyMasterPause", Napi::Function::New(env, PtyMasterPause));
  exports.Set("ptyMasterFinish", Napi::Function::New(env, PtyMasterFinish));
  exports.Set("ptyMasterFree", Napi::Function::New(env, PtyMasterFree));
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
