# ruff: noqa: E501 - a data table: one instrument per line reads better than wrapped rows
"""The labelled relevance set: ~150 hand-written instruments and the queries that must find them.

Each instrument row: inventory number | name | English name | model | maker | class | status | holder |
specs | functions. Holders (see conftest.HOLDERS): A 浙江大学 Hangzhou, B 北京大学 Beijing, C 上海交通大学
Shanghai, D 嘉兴学院 Jiaxing, E 南京大学 Nanjing, F 中国科学技术大学 Hefei, G 中山大学 Guangzhou,
H 四川大学 Chengdu, I 兰州大学 Lanzhou.

Each query: the text a user types, and the inventory numbers of which at least one must be in its top 5.
"""

from __future__ import annotations

INSTRUMENTS_TABLE = """
T01|场发射透射电子显微镜|Field emission transmission electron microscope|Talos F200X|Thermo Fisher Scientific|0101|normal|A|点分辨率0.25nm，加速电压200kV，配备Super-X能谱|纳米材料形貌、晶体结构、成分分析
T02|透射电子显微镜|Transmission electron microscope|JEM-2100F|JEOL|0101|normal|B|加速电压200kV，点分辨率0.23nm|材料微观结构观察，电子衍射
T03|球差校正透射电子显微镜|Aberration-corrected transmission electron microscope|Titan Themis G2 300|FEI|0101|normal|C|STEM分辨率0.06nm，加速电压60-300kV|原子尺度成像与能谱分析
T04|冷冻透射电子显微镜|Cryo transmission electron microscope|Titan Krios G4|Thermo Fisher Scientific|0101|normal|E|300kV，配备Falcon 4直接电子探测器|生物大分子冷冻电镜单颗粒三维重构
T05|透射电镜|TEM|HT7800|Hitachi|0101|awaiting_repair|D|120kV，生物样品观察|生物组织超薄切片观察
T06|透射电子显微镜|Transmission electron microscope|Tecnai G2 F20|FEI|0101|awaiting_scrapping|F|200kV场发射|材料结构表征
S01|场发射扫描电子显微镜|Field emission scanning electron microscope|SU8010|Hitachi|0101|normal|A|分辨率1.0nm(15kV)，配备能谱仪|材料表面形貌观察与微区成分分析
S02|扫描电子显微镜|Scanning electron microscope|EVO 18|Carl Zeiss|0101|normal|D|分辨率3nm，低真空模式|样品表面形貌观察
S03|扫描电镜|SEM|Phenom XL|Thermo Fisher Scientific|0101|standby|G|台式扫描电镜，放大倍数20-200000倍|快速形貌检测
S04|聚焦离子束扫描电子显微镜|Focused ion beam scanning electron microscope|Helios 5 UX|Thermo Fisher Scientific|0101|normal|C|离子束分辨率2.5nm|TEM样品制备、三维重构、微纳加工
S05|环境扫描电子显微镜|Environmental scanning electron microscope|Quanta 650 FEG|FEI|0101|occasional_faults|H|环境真空模式，分辨率1.4nm|含水样品、生物样品原位观察
S06|电子探针显微分析仪|Electron probe micro-analyser|JXA-8530F Plus|JEOL|0101|normal|I|5道波谱仪，束流稳定度0.3%/h|矿物微区定量成分分析
K01|冷冻电子显微镜|Cryo-electron microscope|Glacios 2|Thermo Fisher Scientific|0101|normal|G|200kV|蛋白质结构解析
K02|场发射透射电子显微镜|FE-TEM|JEM-F200|JEOL|0101|normal|D|加速电压200kV，冷场发射枪|材料高分辨成像与能谱分析
K03|双束电镜|FIB-SEM|Crossbeam 550|Carl Zeiss|0101|normal|H|Ga离子源|截面加工、三维重构
K04|扫描透射电子显微镜|Scanning transmission electron microscope|JEM-ARM300F2|JEOL|0101|normal|E|球差校正，STEM分辨率0.053nm|原子分辨成像
N01|核磁共振波谱仪|NMR spectrometer|AVANCE NEO 600|Bruker|0106|normal|A|600MHz，配备超低温探头|有机化合物结构鉴定，一维二维核磁谱
N02|超导核磁共振波谱仪|Superconducting NMR spectrometer|AVANCE III HD 400|Bruker|0106|normal|B|400MHz，BBO探头|化合物结构分析
N03|固体核磁共振波谱仪|Solid-state NMR spectrometer|JNM-ECZ600R|JEOL|0106|normal|F|600MHz，魔角旋转探头|固体材料、催化剂结构分析
N04|核磁共振波谱仪|NMR spectrometer|AVANCE 500|Bruker|0106|awaiting_repair|E|500MHz|溶液核磁测试
N05|电子顺磁共振波谱仪|Electron paramagnetic resonance spectrometer|EMXplus|Bruker|0106|normal|F|X波段，灵敏度1.5×10^10 spins/G|自由基、过渡金属离子检测
N06|核磁共振成像系统|Magnetic resonance imaging system|MAGNETOM Prisma 3T|Siemens Healthineers|0902|normal|B|3T，64通道头线圈|脑功能成像研究
K06|核磁共振波谱仪|NMR|AVANCE NEO 400|Bruker|0106|normal|D|400MHz，自动进样|有机小分子结构表征
M01|液相色谱-质谱联用仪|Liquid chromatography-mass spectrometer|Xevo TQ-XS|Waters|0102|normal|A|三重四极杆，正负离子切换时间<20ms|小分子定量分析、药物代谢
M02|液相色谱-串联质谱仪|LC-MS/MS|QTRAP 6500+|SCIEX|0102|normal|C|质量范围5-2000 m/z|痕量污染物、代谢组学定量
M03|超高效液相色谱-四极杆飞行时间质谱联用仪|UPLC-Q-TOF MS|Xevo G2-XS QTof|Waters|0102|normal|E|分辨率>40000 FWHM|非靶向代谢组学、未知物鉴定
M04|高分辨质谱仪|High resolution mass spectrometer|Orbitrap Exploris 480|Thermo Fisher Scientific|0102|normal|B|分辨率480000|蛋白质组学
M05|气相色谱-质谱联用仪|Gas chromatography-mass spectrometer|8890-5977B|Agilent|0102|normal|D|EI源，质量范围1.6-1050 u|挥发性有机物分析
M06|气质联用仪|GC-MS|GCMS-QP2020 NX|Shimadzu|0102|standby|G|单四极杆|农残、香精香料分析
M07|电感耦合等离子体质谱仪|Inductively coupled plasma mass spectrometer|NexION 2000|PerkinElmer|0102|normal|H|检出限ppt级|痕量元素、同位素比值分析
M08|激光剥蚀电感耦合等离子体质谱仪|LA-ICP-MS|Agilent 7900 + GeoLasPro|Agilent|0102|normal|I|激光波长193nm|矿物原位微区元素分析
M09|基质辅助激光解吸电离飞行时间质谱仪|MALDI-TOF MS|autoflex maX|Bruker|0102|normal|E|线性模式分辨率>2000|微生物鉴定、蛋白分子量测定
M10|稳定同位素比质谱仪|Isotope ratio mass spectrometer|Delta V Advantage|Thermo Fisher Scientific|0102|normal|I|C、N、O、H同位素|稳定同位素分析
M11|二次离子质谱仪|Secondary ion mass spectrometer|IMS 1280-HR|CAMECA|0102|normal|B|高分辨离子探针|锆石U-Pb定年
M12|加速器质谱仪|Accelerator mass spectrometer|1.5SDH-1|NEC|0102|frequent_faults|B|碳十四测年|考古年代测定
M13|液相色谱-质谱联用仪|LC-MS|LCMS-8060|Shimadzu|0102|awaiting_scrapping|F|三重四极杆|药物分析
M14|飞行时间二次离子质谱仪|TOF-SIMS|TOF.SIMS 5|IONTOF|0102|normal|C|质量分辨率>10000|表面成分深度剖析
K07|液质联用仪|LC-MS|Q Exactive Plus|Thermo Fisher Scientific|0102|normal|G|分辨率140000|代谢物鉴定
K08|电感耦合等离子体质谱仪|ICP-MS|iCAP RQ|Thermo Fisher Scientific|0102|normal|D|单四极杆|痕量金属检测
X01|X射线衍射仪|X-ray diffractometer|D8 ADVANCE|Bruker|0103|normal|A|Cu靶，测角仪精度0.0001°|物相定性定量分析、晶粒尺寸
X02|粉末X射线衍射仪|Powder X-ray diffractometer|SmartLab 9kW|Rigaku|0103|normal|D|9kW转靶|粉末物相分析、薄膜掠入射
X03|单晶X射线衍射仪|Single crystal X-ray diffractometer|XtaLAB Synergy|Rigaku|0103|normal|E|双微焦斑光源Mo/Cu|单晶结构解析
X04|X射线光电子能谱仪|X-ray photoelectron spectrometer|ESCALAB Xi+|Thermo Fisher Scientific|0103|normal|A|单色化Al Kα，能量分辨率0.45eV|表面元素组成与化学态分析
X05|X射线光电子能谱仪|XPS|AXIS Supra+|Kratos|0103|awaiting_repair|G|单色Al靶|表面分析
X06|X射线荧光光谱仪|X-ray fluorescence spectrometer|ZSX Primus IV|Rigaku|0103|normal|H|波长色散型|主次量元素分析
X07|小角X射线散射仪|Small-angle X-ray scattering system|Xeuss 3.0|Xenocs|0103|normal|C|q范围0.002-4 Å^-1|纳米结构、高分子形态分析
X08|工业CT|Industrial CT scanner|phoenix v-tome-x m 300|Waygate Technologies|1101|normal|D|最大管电压300kV，空间分辨率<1μm|零部件内部缺陷无损检测
X09|显微CT|Micro-CT|SKYSCAN 1272|Bruker|1101|normal|E|体素尺寸0.35μm|骨骼、材料三维结构成像
K05|X射线衍射仪|XRD|Empyrean|Malvern Panalytical|0103|standby|I|多功能|薄膜、织构、应力分析
B01|比表面积及孔隙度分析仪|Surface area and porosity analyser|ASAP 2460|Micromeritics|0205|normal|A|比表面积测试范围0.0005 m²/g以上，孔径0.35-500nm，测试前需预热20分钟以上|BET比表面积、孔径分布测定
B02|全自动比表面积及孔隙度分析仪|Automatic surface area and porosity analyser|Autosorb-iQ|Anton Paar|0205|normal|D|微孔分析|比表面与孔径分析
B03|比表面积分析仪|BET surface area analyser|TriStar II 3020|Micromeritics|0205|standby|H|三站并行|比表面积测定
B04|压汞仪|Mercury porosimeter|AutoPore V 9620|Micromeritics|0205|normal|F|孔径范围3nm-1100μm|大孔孔径分布
B05|化学吸附仪|Chemisorption analyser|AutoChem II 2920|Micromeritics|0205|normal|G|TPR/TPD|催化剂活性位表征
B06|激光粒度分析仪|Laser particle size analyser|Mastersizer 3000|Malvern Panalytical|0205|normal|A|测量范围0.01-3500μm|粉体粒径分布测定
B07|纳米粒度及Zeta电位分析仪|Nanoparticle size and zeta potential analyser|Zetasizer Nano ZS90|Malvern Panalytical|0205|normal|C|动态光散射，粒径0.3nm-5μm|纳米颗粒粒径及Zeta电位
A01|原子力显微镜|Atomic force microscope|Dimension Icon|Bruker|0108|normal|A|扫描范围90μm，噪声<30pm|表面形貌、力学性质测量
A02|原子力显微镜|AFM|MFP-3D Origin+|Oxford Instruments Asylum Research|0108|normal|E|闭环扫描|纳米力学、压电力显微
A03|扫描隧道显微镜|Scanning tunnelling microscope|USM1300|Unisoku|0108|normal|F|极低温4K，强磁场|表面原子结构与电子态研究
A04|激光扫描共聚焦显微镜|Confocal laser scanning microscope|LSM 980|Carl Zeiss|0108|normal|B|405/488/561/639nm激光，Airyscan 2|细胞荧光成像、活细胞观察
A05|激光共聚焦显微镜|Confocal microscope|TCS SP8|Leica Microsystems|0108|normal|G|光谱检测|组织切片三维成像
A06|超高分辨显微镜|Super-resolution microscope|N-SIM S|Nikon|0108|normal|C|分辨率115nm|超分辨荧光成像
A07|双光子显微镜|Two-photon microscope|FVMPE-RS|Olympus|0108|normal|E|飞秒激光680-1300nm|活体深层组织成像
A08|倒置荧光显微镜|Inverted fluorescence microscope|Ti2-E|Nikon|0108|normal|D|电动载物台|细胞荧光观察
A09|金相显微镜|Metallographic microscope|Axio Imager M2m|Carl Zeiss|0108|normal|H|明暗场、偏光|金属组织观察
A10|高内涵成像系统|High-content imaging system|Opera Phenix Plus|Revvity|0108|normal|C|共聚焦转盘|药物筛选细胞表型分析
R01|激光显微拉曼光谱仪|Raman microscope|LabRAM HR Evolution|Horiba|0104|normal|A|光谱分辨率0.3cm-1，激光532/633/785nm|分子结构、应力、碳材料表征
R02|拉曼光谱仪|Raman spectrometer|inVia Qontor|Renishaw|0104|normal|F|共聚焦拉曼成像|材料成分成像
R03|傅里叶变换红外光谱仪|FTIR spectrometer|Nicolet iS50|Thermo Fisher Scientific|0104|normal|A|光谱范围7800-350cm-1|官能团结构鉴定
R04|红外光谱仪|Infrared spectrometer|VERTEX 70v|Bruker|0104|normal|G|真空光路|远红外、近红外分析
R05|紫外可见近红外分光光度计|UV-Vis-NIR spectrophotometer|Cary 5000|Agilent|0104|normal|D|波长范围175-3300nm|吸收、透过、反射光谱
R06|稳态瞬态荧光光谱仪|Steady-state and transient fluorescence spectrometer|FLS1000|Edinburgh Instruments|0104|normal|E|时间分辨TCSPC|荧光寿命、量子产率测定
R07|圆二色光谱仪|Circular dichroism spectrometer|J-1500|JASCO|0104|normal|B|波长范围163-1250nm|蛋白质二级结构分析
R08|电感耦合等离子体发射光谱仪|ICP-OES|Avio 500|PerkinElmer|0104|normal|H|轴向/径向观测|多元素同时测定
R09|原子吸收光谱仪|Atomic absorption spectrometer|PinAAcle 900T|PerkinElmer|0104|normal|I|火焰/石墨炉|重金属元素测定
R10|原子荧光光谱仪|Atomic fluorescence spectrometer|AFS-9700|海光仪器|0104|normal|D|双道|砷汞硒测定
H01|热重分析仪|Thermogravimetric analyser|TGA 5500|TA Instruments|0109|normal|A|温度范围室温-1200℃，天平灵敏度0.1μg|热稳定性、组分含量
H02|差示扫描量热仪|Differential scanning calorimeter|DSC 250|TA Instruments|0109|normal|A|温度范围-90~725℃|玻璃化转变、熔融结晶
H03|同步热分析仪|Simultaneous thermal analyser|STA 449 F5|NETZSCH|0109|normal|D|TG-DSC同步|热分解行为分析
H04|动态热机械分析仪|Dynamic mechanical analyser|DMA 850|TA Instruments|0109|normal|C|频率0.001-200Hz|高分子黏弹性
H05|等温滴定量热仪|Isothermal titration calorimeter|MicroCal PEAQ-ITC|Malvern Panalytical|0109|normal|E|灵敏度0.04μcal|分子间相互作用热力学
H06|热重分析仪|TGA|TG 209 F1|NETZSCH|0109|awaiting_repair|G|室温-1000℃|热失重分析
C01|高效液相色谱仪|High performance liquid chromatograph|1260 Infinity II|Agilent|0105|normal|A|四元泵，DAD检测器|有机物分离定量
C02|超高效液相色谱仪|Ultra performance liquid chromatograph|ACQUITY UPLC H-Class|Waters|0105|normal|G|耐压15000psi|药物杂质分析
C03|气相色谱仪|Gas chromatograph|7890B|Agilent|0105|normal|D|FID/TCD检测器|气体及挥发性组分分析
C04|离子色谱仪|Ion chromatograph|Dionex ICS-6000|Thermo Fisher Scientific|0105|normal|H|电导检测|阴阳离子测定
C05|凝胶渗透色谱仪|Gel permeation chromatograph|PL-GPC 50|Agilent|0105|normal|C|示差折光检测器|高分子分子量及分布
C06|制备液相色谱仪|Preparative liquid chromatograph|LC-20AP|Shimadzu|0105|normal|F|流速最高150mL/min|天然产物制备分离
L01|流式细胞仪|Flow cytometer|CytoFLEX S|Beckman Coulter|0110|normal|A|4激光13色|细胞表型分析、细胞周期
L02|流式细胞分选仪|Cell sorter|BD FACSAria III|BD Biosciences|0110|normal|B|4路分选|细胞分选
L03|实时荧光定量PCR仪|Real-time PCR system|QuantStudio 5|Thermo Fisher Scientific|0110|normal|D|96孔，6色|基因表达定量
L04|高通量测序仪|High-throughput sequencer|NovaSeq 6000|Illumina|0110|normal|G|单次运行通量6Tb|基因组、转录组测序
L05|基因测序仪|DNA sequencer|3730xl|Applied Biosystems|0110|standby|E|毛细管电泳48道|Sanger测序
L06|多功能酶标仪|Multimode microplate reader|Spark|Tecan|0110|normal|C|吸光、荧光、化学发光|酶活、细胞活力检测
L07|超速离心机|Ultracentrifuge|Optima XPN-100|Beckman Coulter|0110|normal|H|最高转速100000rpm|亚细胞组分分离
L08|表面等离子体共振仪|Surface plasmon resonance system|Biacore 8K|Cytiva|0110|normal|E|8通道|分子互作动力学
L09|蛋白质纯化系统|Protein purification system|ÄKTA pure 150|Cytiva|0110|normal|F|流速0.001-150mL/min|蛋白质层析纯化
E01|有机元素分析仪|Organic elemental analyser|vario EL cube|Elementar|0111|normal|A|CHNS/O模式|碳氢氮硫元素含量测定
E02|电化学工作站|Electrochemical workstation|CHI760E|上海辰华|0107|normal|D|电位范围±10V|循环伏安、交流阻抗
P01|电子万能试验机|Electronic universal testing machine|Instron 5967|Instron|0201|normal|A|最大载荷30kN|拉伸、压缩、弯曲试验
P02|万能材料试验机|Universal material testing machine|Z100|ZwickRoell|0201|normal|D|最大载荷100kN|金属材料力学性能
P03|疲劳试验机|Fatigue testing machine|MTS 810|MTS|0201|normal|H|动态载荷±100kN|疲劳寿命测试
P04|纳米压痕仪|Nanoindenter|Hysitron TI 980|Bruker|0201|normal|C|载荷分辨率<1nN|薄膜硬度、模量
P05|旋转流变仪|Rotational rheometer|HAAKE MARS 60|Thermo Fisher Scientific|0201|normal|E|扭矩范围10nNm-230mNm|流体黏度、黏弹性
P06|光谱椭偏仪|Spectroscopic ellipsometer|M-2000|J.A. Woollam|0203|normal|F|波长193-1690nm|薄膜厚度、光学常数
P07|接触角测量仪|Contact angle goniometer|DSA100|KRÜSS|0203|normal|G|测量范围0-180°|表面润湿性
V01|矢量网络分析仪|Vector network analyser|N5227B|Keysight|0802|normal|B|10MHz-67GHz|S参数测量
V02|频谱分析仪|Spectrum analyser|FSW43|Rohde & Schwarz|0802|normal|C|2Hz-43.5GHz|信号频谱分析
V03|数字示波器|Digital oscilloscope|MSO64|Tektronix|0801|normal|A|带宽6GHz|高速信号测量
V04|半导体参数分析仪|Semiconductor parameter analyser|B1500A|Keysight|0805|normal|E|电流分辨率0.1fA|器件I-V、C-V特性
V05|探针台|Probe station|EPS150|FormFactor|0805|normal|E|6英寸|晶圆级测试
Q01|综合物性测量系统|Physical property measurement system|PPMS DynaCool|Quantum Design|0304|normal|F|温度1.8-400K，磁场±9T|电输运、比热、磁性测量
Q02|超导量子干涉仪磁强计|SQUID magnetometer|MPMS3|Quantum Design|0304|normal|B|灵敏度<1×10^-8 emu|弱磁性测量
Q03|振动样品磁强计|Vibrating sample magnetometer|7404|Lake Shore|0304|normal|H|磁场±2T|磁滞回线测量
D01|计算机断层扫描仪|CT scanner|SOMATOM Force|Siemens Healthineers|0902|normal|B|双源CT，旋转时间0.25s|医学影像诊断研究
D02|小动物正电子发射断层扫描仪|Small animal PET/CT|Inveon|Siemens|0902|normal|C|空间分辨率1.4mm|分子影像研究
D03|小动物磁共振成像系统|Small animal MRI|BioSpec 94/30|Bruker|0902|normal|E|9.4T|小动物活体成像
U01|高纯锗伽马能谱仪|HPGe gamma spectrometer|GEM-C5060|ORTEC|1001|normal|I|相对效率40%|放射性核素分析
U02|液体闪烁计数器|Liquid scintillation counter|Tri-Carb 4910TR|PerkinElmer|1001|normal|F|氚、碳十四测量|低水平放射性测量
G01|温盐深仪|CTD profiler|SBE 911plus|Sea-Bird Scientific|0501|normal|C|深度6800m|海水温度盐度深度剖面
G02|声学多普勒流速剖面仪|Acoustic Doppler current profiler|Workhorse 300kHz|Teledyne RD Instruments|0501|normal|G|剖面范围110m|海流测量
G03|重力仪|Gravimeter|CG-6|Scintrex|0604|normal|I|分辨率0.1μGal|重力测量
G04|宽频带地震仪|Broadband seismometer|Trillium 120|Nanometrics|0605|normal|H|频带120s-175Hz|天然地震观测
G05|多普勒测风激光雷达|Doppler wind lidar|WindCube 100S|Vaisala|0704|normal|F|探测距离3km|大气风场探测
G06|射电望远镜|Radio telescope|TM65m|中国电子科技集团|0402|normal|C|口径65m|射电天文观测
F01|原子层沉积系统|Atomic layer deposition system|Savannah S200|Veeco|12|normal|A|8英寸|纳米薄膜沉积
F02|电子束曝光系统|Electron beam lithography system|JBX-6300FS|JEOL|12|normal|F|线宽8nm|纳米图形加工
F03|磁控溅射仪|Magnetron sputtering system|PVD75|Kurt J. Lesker|12|normal|D|3靶位|金属及氧化物薄膜制备
F04|等离子体增强化学气相沉积系统|PECVD system|PlasmaPro 100|Oxford Instruments|12|normal|E|沉积温度至400℃|氮化硅、氧化硅薄膜
F05|分子束外延系统|Molecular beam epitaxy system|DCA R450|DCA Instruments|12|awaiting_scrapping|F|超高真空|半导体外延生长
Z01|样品离子减薄仪|Ion milling system|PIPS II 695|Gatan|0112|normal|A|氩离子，能量0.1-8keV|透射电子显微镜样品制备
Z02|临界点干燥仪|Critical point dryer|EM CPD300|Leica Microsystems|0112|normal|B|自动CO2|扫描电镜生物样品干燥
Z03|离子溅射仪|Sputter coater|EM ACE600|Leica Microsystems|0112|normal|G|镀金、镀碳|扫描电子显微镜样品导电处理
Z04|超薄切片机|Ultramicrotome|EM UC7|Leica Microsystems|0112|normal|D|切片厚度1-15000nm|透射电镜生物样品切片
Z05|氮吹仪|Nitrogen evaporator|N-EVAP 112|Organomation|0112|normal|H|12位|液质联用样品前处理浓缩
Z06|固相萃取仪|Solid phase extraction system|Auto SPE-06D|Reeko|0112|normal|C|6通道|色谱、质谱分析样品净化
Z07|微波消解仪|Microwave digestion system|Mars 6|CEM|0112|normal|I|40位|ICP-MS样品消解
Z08|冷冻干燥机|Freeze dryer|Alpha 1-4 LSCbasic|Martin Christ|0112|normal|E|冷阱-55℃|生物样品冻干
Z09|手套箱|Glovebox|LAB2000|Etelux|0112|normal|A|水氧<1ppm|无水无氧操作
Z10|高低温试验箱|Climate chamber|SH-662|ESPEC|0207|normal|D|-70~150℃|环境适应性试验
Z11|超声波探伤仪|Ultrasonic flaw detector|EPOCH 650|Evident|1102|normal|H|频率0.2-26.5MHz|焊缝缺陷检测
Z12|声发射检测仪|Acoustic emission system|Micro-II|MISTRAS|1104|normal|I|16通道|结构损伤监测
Z13|工作站服务器|Data processing server|PowerEdge R750|Dell|12|normal|B|双路CPU，1TB内存|核磁共振数据处理、冷冻电镜三维重构计算
Z14|电感耦合等离子体刻蚀机|ICP etcher|PlasmaPro 100 Cobra|Oxford Instruments|12|normal|F|ICP源3kW|硅、III-V族刻蚀
Z15|显微红外成像系统|FTIR imaging microscope|LUMOS II|Bruker|0104|normal|C|焦平面阵列检测器|微区红外成像
Z16|近红外光谱仪|Near-infrared spectrometer|MPA II|Bruker|0104|normal|G|12500-3600cm-1|农产品快速检测
Z17|体视显微镜|Stereo microscope|SMZ25|Nikon|0108|normal|E|变倍比25:1|样品宏观观察
Z18|偏光显微镜|Polarizing microscope|BX53-P|Olympus|0108|normal|I|正交偏光|岩石薄片鉴定
Z19|气体吸附分析仪|Gas sorption analyser|3Flex|Micromeritics|0205|normal|F|三站，微孔分析|比表面积、微孔孔径分布，二氧化碳吸附
Z20|热导率仪|Thermal conductivity analyser|TPS 2500S|Hot Disk|0109|normal|C|0.005-1800 W/mK|导热系数测量
"""

FIELDS = (
    "inventory_no",
    "name",
    "name_en",
    "model",
    "manufacturer",
    "category_id",
    "status",
    "holder",
    "specs",
    "functions",
)


def instruments() -> list[dict[str, str]]:
    rows = [line.split("|") for line in INSTRUMENTS_TABLE.strip().splitlines()]
    for row in rows:
        assert len(row) == len(FIELDS), row
    return [dict(zip(FIELDS, row, strict=True)) for row in rows]


# (query, inventory numbers of which at least one must be in the top 5)
QUERIES: list[tuple[str, tuple[str, ...]]] = [
    # Chinese names, short forms and abbreviations
    ("透射电镜", ("T02",)),
    ("TEM", ("T02",)),
    ("透射电子显微镜", ("T02",)),
    ("场发射透射电子显微镜", ("T01", "K02")),
    ("扫描电镜", ("S02", "S03")),
    ("SEM", ("S02",)),
    ("电镜", ("S03", "T02", "S02")),
    ("冷冻电镜", ("T04", "K01")),
    ("双束电镜", ("K03", "S04")),
    ("核磁", ("N01",)),
    ("NMR", ("N01", "K06")),
    ("核磁共振波谱仪", ("N01",)),
    ("固体核磁", ("N03",)),
    ("EPR", ("N05",)),
    ("液质", ("M01",)),
    ("LC-MS", ("M01", "K07")),
    ("液相色谱-质谱联用仪", ("M01",)),
    ("液质联用", ("M01", "K07")),
    ("气质", ("M05", "M06")),
    ("GC-MS", ("M05", "M06")),
    ("ICP-MS", ("M07", "K08")),
    ("质谱", ("M04",)),
    ("同位素质谱", ("M10",)),
    ("离子探针", ("M11",)),
    ("MALDI-TOF", ("M09",)),
    ("XRD", ("X01", "X02")),
    ("X射线衍射仪", ("X01",)),
    ("单晶衍射", ("X03",)),
    ("XPS", ("X04",)),
    ("光电子能谱", ("X04",)),
    ("SAXS", ("X07",)),
    ("BET", ("B01",)),
    ("比表面", ("B01", "B03")),
    ("比表面积及孔隙度分析仪", ("B01", "B02")),
    ("孔径分布", ("B01", "B04")),
    ("AFM", ("A01", "A02")),
    ("激光共聚焦", ("A04", "A05")),
    ("Raman", ("R01", "R02")),
    ("拉曼光谱仪", ("R02",)),
    ("FTIR", ("R03",)),
    ("红外光谱", ("R03", "R04")),
    ("TGA", ("H01",)),
    ("热重", ("H01",)),
    ("DSC", ("H02",)),
    ("HPLC", ("C01",)),
    ("液相色谱", ("C01", "C02")),
    ("GPC", ("C05",)),
    ("凝胶色谱", ("C05",)),
    ("流式细胞仪", ("L01", "L02")),
    ("PCR", ("L03",)),
    ("测序", ("L04", "L05")),
    ("CT", ("D01", "X08")),
    ("显微CT", ("X09",)),
    ("MRI", ("N06", "D03")),
    ("万能试验机", ("P01", "P02")),
    ("纳米压痕", ("P04",)),
    ("流变仪", ("P05",)),
    ("VNA", ("V01",)),
    ("示波器", ("V03",)),
    ("PPMS", ("Q01",)),
    ("SQUID", ("Q02",)),
    ("ALD", ("F01",)),
    ("原子层沉积", ("F01",)),
    ("温盐深", ("G01",)),
    # models and makers
    ("Talos F200X", ("T01",)),
    ("F200X", ("T01",)),
    ("JEM-2100", ("T02",)),
    ("SU8010", ("S01",)),
    ("AVANCE NEO", ("N01", "K06")),
    ("Orbitrap", ("M04",)),
    ("Bruker NMR", ("N01", "K06")),
    ("Waters", ("M01", "M03", "C02")),
    ("ASAP 2460", ("B01",)),
    # English
    ("transmission electron microscope", ("T02", "T01")),
    ("scanning electron microscopes", ("S02", "S01")),
    ("mass spectrometer", ("M04", "M11", "M10")),
    ("X-ray diffractometer", ("X01",)),
    ("atomic force microscope", ("A01",)),
    ("confocal microscope", ("A04", "A05")),
    ("flow cytometer", ("L01",)),
    ("surface area analyser", ("B01", "B03")),
    ("thermogravimetric", ("H01",)),
    ("gel permeation chromatograph", ("C05",)),
    ("Raman spectrometer", ("R02", "R01")),
    # typos and mixed input
    ("Talso F200X", ("T01",)),
    ("透射电子显微竟", ("T02", "T01")),
    ("ＴＥＭ", ("T02",)),
    ("场发射 扫描电镜", ("S01",)),
]
