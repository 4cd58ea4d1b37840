//! `postMessage`'s serialization (https://html.spec.whatwg.org/#structuredserializewithtransfer
//! and #structureddeserializewithtransfer): a message is its structured clone, framed with
//! the MessagePorts it transfers (`message_ports::frame`). SpiderMonkey's transfer callbacks
//! record each port written, and make a port object for each one read, in the receiving
//! global. ArrayBuffers in the transfer list are SpiderMonkey's own: copied, and detached in
//! the sender.

use std::ffi::c_void;
use std::ptr::NonNull;

use mozjs::jsapi::{
    CloneDataPolicy, JSContext as RawJSContext, JSStructuredCloneCallbacks,
    JSStructuredCloneReader, TransferableOwnership,
};
use mozjs::jsval::UndefinedValue;
use mozjs::rooted;

use crate::dom::bindings::error::DOMErrorName;
use crate::dom::bindings::structuredclone::{deserialize_with, serialize_with};
use crate::dom::bindings::utils::{is_instance_of, unwrap_dom_object};
use crate::dom::messageport::MessagePort;
use crate::dom::prelude::*;
use crate::message_ports::{frame, unframe, CarriedPort};

/// The tag of a transferred MessagePort (above SpiderMonkey's reserved transfer tags).
const SCTAG_MESSAGE_PORT: u32 = 0xFFFF_8001;

/// What a serialization collects: the ports written, in transfer order.
#[derive(Default)]
struct WriteClosure {
    ports: Vec<DomRoot<MessagePort>>,
}

/// What a deserialization reads from and makes: the frame's ports, and their new objects.
struct ReadClosure<'a> {
    global: &'a GlobalScope,
    ports: &'a [CarriedPort],
    created: Vec<DomRoot<MessagePort>>,
}

/// The MessagePort `object` is, if it is one (and not already transferred). A port of a
/// same-origin frame's realm arrives wrapped for the caller's compartment: the wrapper is
/// looked through (only same-origin windows reach each other's objects).
unsafe fn as_port<'a>(object: *mut JSObject) -> Option<&'a MessagePort> {
    if object.is_null() {
        return None;
    }
    let object = mozjs::glue::UncheckedUnwrapObject(object, false);
    if object.is_null() || !is_instance_of::<MessagePort>(object) {
        return None;
    }
    let port = &*unwrap_dom_object::<MessagePort>(object);
    (!port.is_detached()).then_some(port)
}

unsafe extern "C" fn can_transfer(
    _cx: *mut RawJSContext,
    object: mozjs::jsapi::JS::Handle<*mut JSObject>,
    _same_process_scope_required: *mut bool,
    _closure: *mut c_void,
) -> bool {
    as_port(object.get()).is_some()
}

unsafe extern "C" fn write_transfer(
    _cx: *mut RawJSContext,
    object: mozjs::jsapi::JS::Handle<*mut JSObject>,
    closure: *mut c_void,
    tag: *mut u32,
    ownership: *mut TransferableOwnership,
    content: *mut *mut c_void,
    extra_data: *mut u64,
) -> bool {
    let Some(port) = as_port(object.get()) else {
        return false;
    };
    let closure = &mut *(closure as *mut WriteClosure);
    *tag = SCTAG_MESSAGE_PORT;
    // Nothing for SpiderMonkey to free: the port travels as its index in the frame.
    *ownership = TransferableOwnership::SCTAG_TMO_UNOWNED;
    *content = std::ptr::null_mut();
    *extra_data = closure.ports.len() as u64;
    closure.ports.push(DomRoot::from_ref(port));
    true
}

unsafe extern "C" fn read_transfer(
    raw_cx: *mut RawJSContext,
    _reader: *mut JSStructuredCloneReader,
    _policy: *const CloneDataPolicy,
    tag: u32,
    _content: *mut c_void,
    extra_data: u64,
    closure: *mut c_void,
    return_object: mozjs::jsapi::JS::MutableHandleObject,
) -> bool {
    if tag != SCTAG_MESSAGE_PORT {
        return false;
    }
    let closure = &mut *(closure as *mut ReadClosure);
    let Some(&(id, other)) = usize::try_from(extra_data)
        .ok()
        .and_then(|index| closure.ports.get(index))
    else {
        return false;
    };
    let mut cx = JSContext::from_ptr(NonNull::new_unchecked(raw_cx));
    let port = MessagePort::arrived(&mut cx, closure.global, id, other);
    return_object.set(port.reflector().get());
    closure.created.push(port);
    true
}

static CALLBACKS: JSStructuredCloneCallbacks = JSStructuredCloneCallbacks {
    read: None,
    write: None,
    reportError: None,
    readTransfer: Some(read_transfer),
    writeTransfer: Some(write_transfer),
    freeTransfer: None,
    canTransfer: Some(can_transfer),
    sabCloned: None,
};

/// StructuredSerializeWithTransfer for `interface.postMessage(message, transfer)`: the
/// framed bytes; each transferred port leaves this global (see `MessagePort::transfer_out`)
/// once the whole message has serialized. DataCloneError for a value that cannot be cloned,
/// an object that cannot be transferred, a port listed twice or already transferred.
///
/// # Safety
/// `cx` in a realm; `message` rooted.
pub unsafe fn serialize_message(
    cx: &mut JSContext,
    message: HandleValue<'_>,
    transfer: &[RootedObject],
    interface: &str,
) -> Fallible<Vec<u8>> {
    serialize_for(cx, message, transfer, "postMessage", interface)
}

/// [`serialize_message`] for `operation` of `interface` (what a DataCloneError names).
///
/// # Safety
/// As [`serialize_message`].
pub unsafe fn serialize_for(
    cx: &mut JSContext,
    message: HandleValue<'_>,
    transfer: &[RootedObject],
    operation: &str,
    interface: &str,
) -> Fallible<Vec<u8>> {
    rooted!(&in(cx) let mut transfer_list = UndefinedValue());
    if !transfer.is_empty() {
        transfer.to_js(cx, transfer_list.handle_mut());
    }
    let mut closure = WriteClosure::default();
    let clone = serialize_with(
        cx,
        message,
        transfer_list.handle(),
        &CALLBACKS,
        &mut closure as *mut WriteClosure as *mut c_void,
    )
    .map_err(|error| match error {
        Error::Dom(DOMErrorName::DataCloneError, message) => Error::dom(
            DOMErrorName::DataCloneError,
            format!("Failed to execute '{operation}' on '{interface}': {message}"),
        ),
        other => other,
    })?;
    let ports: Vec<CarriedPort> = closure
        .ports
        .iter()
        .map(|port| port.transfer_out())
        .collect();
    Ok(frame(&ports, &clone))
}

/// StructuredDeserializeWithTransfer in the current realm: the message's value into `rval`,
/// and the ports it brought (a MessageEvent's `ports`), now entangled from this global.
///
/// # Safety
/// `cx` in a global's realm; `rval` rooted.
pub unsafe fn deserialize_message(
    cx: &mut JSContext,
    bytes: &[u8],
    rval: MutableHandleValue<'_>,
) -> Fallible<Vec<DomRoot<MessagePort>>> {
    let Some((ports, clone)) = unframe(bytes) else {
        return Err(Error::dom(
            DOMErrorName::DataCloneError,
            "The message's data is malformed.",
        ));
    };
    let global = crate::dom::globalscope::current_global(cx);
    let mut closure = ReadClosure {
        global,
        ports: &ports,
        created: Vec::new(),
    };
    deserialize_with(
        cx,
        clone,
        rval,
        &CALLBACKS,
        &mut closure as *mut ReadClosure as *mut c_void,
    )?;
    Ok(closure.created)
}

/// The `ports` of a message event, as the generated FrozenArray<object> getter takes them.
pub fn ports_as_objects(ports: &[Dom<MessagePort>]) -> Vec<RootedObject> {
    ports
        .iter()
        .map(|port| RootedObject::new(port.reflector().get()))
        .collect()
}

/// `structuredClone(value, {transfer})`: transferred ports come back as new ports of this
/// global (the originals are detached), transferred ArrayBuffers emptied.
///
/// # Safety
/// `cx` in a global's realm; `value` rooted. The result must be stored in a rooted place
/// right away.
pub unsafe fn structured_clone_with_transfer(
    cx: &mut JSContext,
    value: HandleValue<'_>,
    transfer: &[RootedObject],
) -> Fallible<JSVal> {
    let bytes = serialize_for(cx, value, transfer, "structuredClone", "Window")?;
    rooted!(&in(cx) let mut result = UndefinedValue());
    deserialize_message(cx, &bytes, result.handle_mut())?;
    Ok(result.get())
}

/// The two `postMessage` overloads of an interface (`(message, transfer)` and
/// `(message, options)`), both calling its `post_message(cx, message, transfer)`.
#[macro_export]
macro_rules! post_message_overloads {
    () => {
        fn PostMessage(
            &self,
            cx: &mut JSContext,
            message: HandleValue<'_>,
            transfer: Vec<RootedObject>,
        ) -> Fallible<()> {
            self.post_message(cx, message, &transfer)
        }

        fn PostMessage_(
            &self,
            cx: &mut JSContext,
            message: HandleValue<'_>,
            options: &StructuredSerializeOptions,
        ) -> Fallible<()> {
            self.post_message(cx, message, &options.transfer)
        }
    };
}
